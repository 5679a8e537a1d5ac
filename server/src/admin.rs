//! What an operator does from the command line, against the database every
//! node shares; running nodes notice within seconds, without a restart.

use hanmadi_protocol::UserId;

use crate::{auth, db, sessions};

/// Ends every session of `user`: their tokens stop working and their open
/// sockets close (4401) on every node. Returns how many sessions ended.
pub async fn revoke_user(database_url: &str, user: UserId) -> anyhow::Result<u64> {
    let (pool, _) = db::connect(database_url).await?;
    sessions::end_all_of(&pool, user).await
}

/// Adds a signing key that new tokens are signed with from now on; tokens
/// signed with older keys keep working and move to the new key when they are
/// refreshed. Returns the new key's id.
pub async fn rotate_signing_key(database_url: &str) -> anyhow::Result<String> {
    let (pool, _) = db::connect(database_url).await?;
    auth::add_signing_key(&pool).await
}
