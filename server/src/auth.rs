//! Session tokens: `v2.<key id>.<session>.<generation>.<user>.<expires>.<signature>`,
//! signed with HMAC-SHA256 under one of the signing keys kept in the database,
//! so tokens survive restarts and every server sharing the database accepts
//! them.
//!
//! The signature and expiry are checked here, without the database; whether
//! the session is still open and this is its latest token is the database's
//! say (`sessions.rs`). The key id lets keys be rotated without signing
//! everyone out: new tokens are signed with the newest key, and tokens signed
//! with an older one keep working (and are renewed onto the new key) until an
//! operator deletes it.
//!
//! `v1.<user>.<expires>.<signature>` tokens, from before sessions were kept,
//! are signed with the key `k0` and only accepted for a refresh, which opens a
//! session for them: nobody is signed out by the upgrade.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hanmadi_protocol::UserId;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::AnyPool;

type HmacSha256 = Hmac<Sha256>;

/// How long after its expiry a token can still be exchanged for a fresh one (a
/// tab that slept past its token's life carries on). With the token's life, the
/// longest an app's outbox can wait and still be sent.
pub const REFRESH_GRACE: Duration = Duration::from_secs(7 * 24 * 3600);

/// The key that signed tokens before keys had ids.
const LEGACY_KEY: &str = "k0";

/// Why a token was not accepted. Each maps to close code 4401 on the socket and
/// 401 over HTTP; the kind is for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    /// Signed with a key this server does not have (yet: another node may
    /// have just made it; see [`Tokens::reload_keys`]).
    UnknownKey(String),
    BadSignature,
    Expired {
        user: UserId,
    },
    /// A token from before sessions were kept: only good for a refresh.
    NoSession,
    /// Signed out, revoked by an operator, or replaced by a newer token.
    Ended,
    /// The database could not be asked, so nothing is known of the token:
    /// try again. Never taken for [`TokenError::Ended`], which tells a client
    /// to drop its session and everything it had waiting to send.
    Unavailable,
}

/// What a token with a good signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub user: UserId,
    /// `None` for a token from before sessions were kept.
    pub session: Option<SessionRef>,
    pub expires_at: u64,
}

/// Which session a token belongs to, and which of its tokens it is: each
/// refresh makes a new generation and the older ones stop working.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRef {
    pub id: String,
    pub generation: i64,
}

/// The signing keys, by id; new tokens are signed with `current`.
#[derive(Clone)]
pub struct Tokens {
    keys: HashMap<String, Vec<u8>>,
    current: String,
    ttl: Duration,
}

/// A freshly issued token and when it stops working (Unix seconds).
pub struct Issued {
    pub token: String,
    pub expires_at: u64,
}

impl Tokens {
    /// Loads the signing keys, creating the first one on the very first start.
    pub async fn load_or_create(pool: &AnyPool, ttl: Duration) -> anyhow::Result<Self> {
        let has_keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signing_keys").fetch_one(pool).await?;
        if has_keys == 0 {
            add_signing_key(pool).await?;
        }
        Self::load(pool, ttl).await
    }

    async fn load(pool: &AnyPool, ttl: Duration) -> anyhow::Result<Self> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, secret FROM signing_keys ORDER BY created_at, id").fetch_all(pool).await?;
        let current = rows.last().map(|(id, _)| id.clone()).context("no signing key")?;
        let keys = rows
            .into_iter()
            .map(|(id, secret)| {
                let key = URL_SAFE_NO_PAD.decode(secret).with_context(|| format!("signing key {id} is corrupt"))?;
                Ok((id, key))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Self { keys, current, ttl })
    }

    /// Reads the keys again: another node, or an operator, may have added one.
    pub async fn reload_keys(&self, pool: &AnyPool) -> anyhow::Result<Self> {
        Self::load(pool, self.ttl).await
    }

    pub fn issue(&self, user: UserId, session: &SessionRef) -> Issued {
        let expires_at = unix_now() + self.ttl.as_secs();
        let payload = format!("v2.{}.{}.{}.{user}.{expires_at}", self.current, session.id, session.generation);
        let signature = URL_SAFE_NO_PAD.encode(self.mac(&self.keys[&self.current], &payload).finalize().into_bytes());
        Issued { token: format!("{payload}.{signature}"), expires_at }
    }

    /// What a token with a good signature says, expired or not.
    pub fn read(&self, token: &str) -> Result<Claims, TokenError> {
        let parts: Vec<&str> = token.split('.').collect();
        let (key_id, session, user, expires_at, signature) = match parts[..] {
            ["v2", key_id, session, generation, user, expires_at, signature] => {
                let generation = generation.parse().map_err(|_| TokenError::Malformed)?;
                let session = SessionRef { id: session.to_owned(), generation };
                (key_id, Some(session), user, expires_at, signature)
            }
            ["v1", user, expires_at, signature] => (LEGACY_KEY, None, user, expires_at, signature),
            _ => return Err(TokenError::Malformed),
        };
        let user = UserId(user.parse().map_err(|_| TokenError::Malformed)?);
        let expires_at = expires_at.parse().map_err(|_| TokenError::Malformed)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
        let key = self.keys.get(key_id).ok_or_else(|| TokenError::UnknownKey(key_id.to_owned()))?;
        let payload = &token[..token.rfind('.').expect("split above")];
        self.mac(key, payload).verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;
        Ok(Claims { user, session, expires_at })
    }

    fn mac(&self, key: &[u8], payload: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(payload.as_bytes());
        mac
    }
}

impl Claims {
    /// For a socket or an API call: the token has not expired and belongs to
    /// a session (the database says whether it is still open).
    pub fn check_current(self) -> Result<(UserId, SessionRef), TokenError> {
        if self.expires_at <= unix_now() {
            return Err(TokenError::Expired { user: self.user });
        }
        Ok((self.user, self.session.ok_or(TokenError::NoSession)?))
    }

    /// For a refresh: the token expired at most [`REFRESH_GRACE`] ago, so a tab
    /// that slept past its token's life carries on, while a stolen token from
    /// long ago cannot.
    pub fn check_refreshable(self) -> Result<Self, TokenError> {
        if self.expires_at + REFRESH_GRACE.as_secs() <= unix_now() {
            return Err(TokenError::Expired { user: self.user });
        }
        Ok(self)
    }
}

/// Adds a new signing key and makes it the one new tokens are signed with
/// (`hanmadi-server rotate-signing-key`); running servers pick it up when they
/// first see a token signed with it, or when they restart. Returns its id.
pub async fn add_signing_key(pool: &AnyPool) -> anyhow::Result<String> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).context("no randomness for a signing key")?;
    let mut id_bytes = [0u8; 6];
    getrandom::fill(&mut id_bytes).context("no randomness for a key id")?;
    let id = format!("k{}", URL_SAFE_NO_PAD.encode(id_bytes));
    // Strictly newer than every key so far, even within the same second:
    // the newest key is the one new tokens are signed with.
    sqlx::query(
        "INSERT INTO signing_keys (id, secret, created_at) \
         SELECT $1, $2, CASE WHEN MAX(created_at) >= $3 THEN MAX(created_at) + 1 ELSE $3 END FROM signing_keys",
    )
    .bind(&id)
    .bind(URL_SAFE_NO_PAD.encode(secret))
    .bind(unix_now() as i64)
    .execute(pool)
    .await?;
    Ok(id)
}

pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(ttl_secs: u64) -> Tokens {
        let keys = HashMap::from([("k1".to_owned(), b"test key, not secret".to_vec())]);
        Tokens { keys, current: "k1".into(), ttl: Duration::from_secs(ttl_secs) }
    }

    fn session() -> SessionRef {
        SessionRef { id: "s1".into(), generation: 3 }
    }

    #[test]
    fn a_token_names_its_user_and_session_until_it_expires() {
        let tokens = tokens(60);
        let issued = tokens.issue(UserId(42), &session());
        let claims = tokens.read(&issued.token).unwrap();
        assert_eq!(claims.clone().check_current(), Ok((UserId(42), session())));
        assert!(claims.expires_at > unix_now());
    }

    #[test]
    fn an_expired_token_is_refused_but_can_be_refreshed_within_the_grace() {
        let tokens = tokens(0);
        let claims = tokens.read(&tokens.issue(UserId(7), &session()).token).unwrap();
        assert_eq!(claims.clone().check_current(), Err(TokenError::Expired { user: UserId(7) }));
        assert!(claims.clone().check_refreshable().is_ok());
        let long_ago = Claims { expires_at: unix_now() - REFRESH_GRACE.as_secs(), ..claims };
        assert_eq!(long_ago.check_refreshable(), Err(TokenError::Expired { user: UserId(7) }));
    }

    #[test]
    fn tokens_signed_with_an_older_key_still_verify_after_a_rotation() {
        let old = tokens(60);
        let issued = old.issue(UserId(1), &session());
        let mut rotated = old.clone();
        rotated.keys.insert("k2".into(), b"the new key".to_vec());
        rotated.current = "k2".into();
        assert!(rotated.read(&issued.token).is_ok(), "signed with k1, still known");
        let fresh = rotated.issue(UserId(1), &session());
        assert!(fresh.token.starts_with("v2.k2."), "new tokens use the new key");
        assert_eq!(old.read(&fresh.token), Err(TokenError::UnknownKey("k2".into())), "a node that has not reloaded");
    }

    #[test]
    fn a_token_from_before_sessions_is_only_good_for_a_refresh() {
        let mut tokens = tokens(60);
        tokens.keys.insert(LEGACY_KEY.into(), b"the old key".to_vec());
        let payload = format!("v1.5.{}", unix_now() + 60);
        let signature = URL_SAFE_NO_PAD.encode(tokens.mac(b"the old key", &payload).finalize().into_bytes());
        let claims = tokens.read(&format!("{payload}.{signature}")).unwrap();
        assert_eq!(claims.session, None);
        assert_eq!(claims.clone().check_current(), Err(TokenError::NoSession));
        assert!(claims.check_refreshable().is_ok());
    }

    #[test]
    fn a_tampered_or_foreign_token_is_refused() {
        let tokens = tokens(60);
        let issued = tokens.issue(UserId(1), &session());
        let forged = issued.token.replacen(".3.1.", ".3.2.", 1);
        assert_eq!(tokens.read(&forged), Err(TokenError::BadSignature));
        let newer_generation = issued.token.replacen(".s1.3.", ".s1.4.", 1);
        assert_eq!(tokens.read(&newer_generation), Err(TokenError::BadSignature));
        let mut other_server = tokens.clone();
        other_server.keys.insert("k1".into(), b"another key".to_vec());
        assert_eq!(other_server.read(&issued.token), Err(TokenError::BadSignature));
        for junk in ["", "v1", "v1.x.1.sig", "v2.k1.s.1.1.1.sig", "v1.1.1.!!!", "v2.k1.s.x.1.1.sig", "v3.1.1.sig"] {
            assert!(tokens.read(junk).is_err(), "{junk:?}");
        }
    }
}
