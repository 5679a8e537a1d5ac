//! Guest session tokens: `v1.<user>.<expires>.<signature>`, signed with HMAC-SHA256
//! under a key kept in the database, so tokens survive restarts and every server
//! sharing the database accepts them. Stateless to check: no lookup per frame.

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

/// Why a token was not accepted. Each maps to close code 4401 on the socket and
/// 401 over HTTP; the kind is for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    BadSignature,
    Expired { user: UserId },
}

#[derive(Clone)]
pub struct Tokens {
    key: Vec<u8>,
    ttl: Duration,
}

/// A freshly issued token and when it stops working (Unix seconds).
pub struct Issued {
    pub token: String,
    pub expires_at: u64,
}

impl Tokens {
    /// Loads the signing key, creating it on the very first start.
    pub async fn load_or_create(pool: &AnyPool, ttl: Duration) -> anyhow::Result<Self> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).context("no randomness for the token key")?;
        sqlx::query("INSERT INTO server_secrets (name, value) VALUES ('token_key', $1) ON CONFLICT (name) DO NOTHING")
            .bind(URL_SAFE_NO_PAD.encode(fresh))
            .execute(pool)
            .await?;
        let stored: String =
            sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = 'token_key'").fetch_one(pool).await?;
        let key = URL_SAFE_NO_PAD.decode(stored).context("the stored token key is corrupt")?;
        Ok(Self { key, ttl })
    }

    pub fn issue(&self, user: UserId) -> Issued {
        let expires_at = unix_now() + self.ttl.as_secs();
        let payload = format!("v1.{user}.{expires_at}");
        let signature = URL_SAFE_NO_PAD.encode(self.mac(&payload).finalize().into_bytes());
        Issued { token: format!("{payload}.{signature}"), expires_at }
    }

    /// The user a valid, unexpired token names.
    pub fn verify(&self, token: &str) -> Result<UserId, TokenError> {
        let (user, expires_at) = self.check_signature(token)?;
        if expires_at <= unix_now() {
            return Err(TokenError::Expired { user });
        }
        Ok(user)
    }

    /// For refreshing: accepts a token whose signature is good and which expired at
    /// most `grace` ago, so a tab that slept past its token's life can carry on
    /// without a new sign-in, while a stolen token from long ago cannot.
    pub fn verify_for_refresh(&self, token: &str, grace: Duration) -> Result<UserId, TokenError> {
        let (user, expires_at) = self.check_signature(token)?;
        if expires_at + grace.as_secs() <= unix_now() {
            return Err(TokenError::Expired { user });
        }
        Ok(user)
    }

    fn check_signature(&self, token: &str) -> Result<(UserId, u64), TokenError> {
        let mut parts = token.split('.');
        let (Some("v1"), Some(user), Some(expires_at), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let user: u64 = user.parse().map_err(|_| TokenError::Malformed)?;
        let expires_at: u64 = expires_at.parse().map_err(|_| TokenError::Malformed)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
        self.mac(&format!("v1.{user}.{expires_at}")).verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;
        Ok((UserId(user), expires_at))
    }

    fn mac(&self, payload: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(payload.as_bytes());
        mac
    }
}

pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(ttl_secs: u64) -> Tokens {
        Tokens { key: b"test key, not secret".to_vec(), ttl: Duration::from_secs(ttl_secs) }
    }

    #[test]
    fn a_token_names_its_user_until_it_expires() {
        let tokens = tokens(60);
        let issued = tokens.issue(UserId(42));
        assert_eq!(tokens.verify(&issued.token), Ok(UserId(42)));
        assert!(issued.expires_at > unix_now());
    }

    #[test]
    fn an_expired_token_is_refused_but_can_be_refreshed_within_the_grace() {
        let tokens = tokens(0);
        let issued = tokens.issue(UserId(7));
        assert_eq!(tokens.verify(&issued.token), Err(TokenError::Expired { user: UserId(7) }));
        assert_eq!(tokens.verify_for_refresh(&issued.token, Duration::from_secs(3600)), Ok(UserId(7)));
        assert!(tokens.verify_for_refresh(&issued.token, Duration::ZERO).is_err());
    }

    #[test]
    fn a_tampered_or_foreign_token_is_refused() {
        let tokens = tokens(60);
        let issued = tokens.issue(UserId(1));
        let forged = issued.token.replacen("v1.1.", "v1.2.", 1);
        assert_eq!(tokens.verify(&forged), Err(TokenError::BadSignature));
        let other_server = Tokens { key: b"another key".to_vec(), ttl: Duration::from_secs(60) };
        assert_eq!(other_server.verify(&issued.token), Err(TokenError::BadSignature));
        for junk in ["", "v1", "v1.x.1.sig", "v2.1.1.sig", "v1.1.1.!!!", "v1.1.1.sig.extra"] {
            assert!(tokens.verify(junk).is_err(), "{junk:?}");
        }
    }
}
