//! What each person chose for themselves ([`Settings`]): kept with them, read
//! into every session issued and told to every connection welcomed, changed
//! with `PUT /api/me/settings`.

use hanmadi_protocol::http::Settings;
use hanmadi_protocol::UserId;

use super::{Store, User};

impl Store {
    /// Who `user` is and what they chose, in one read: what a connection is
    /// told once welcomed. `None` if there is no such person.
    pub async fn you(&self, user: UserId) -> anyhow::Result<Option<(User, Settings)>> {
        let row: Option<(String, i64)> = sqlx::query_as("SELECT name, shares_seen FROM users WHERE id = $1")
            .bind(user.0 as i64)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(name, shares_seen)| (User { id: user, name }, Settings { shares_seen: shares_seen != 0 })))
    }

    /// `user`'s settings, or `None` if there is no such person.
    pub async fn settings(&self, user: UserId) -> anyhow::Result<Option<Settings>> {
        let shares_seen: Option<i64> = sqlx::query_scalar("SELECT shares_seen FROM users WHERE id = $1")
            .bind(user.0 as i64)
            .fetch_optional(&self.pool)
            .await?;
        Ok(shares_seen.map(|shares_seen| Settings { shares_seen: shares_seen != 0 }))
    }

    /// Keeps what `user` chose. Their direct conversations follow it at once:
    /// the rooms list, in either person's, and every read reported from now.
    pub async fn set_settings(&self, user: UserId, settings: Settings) -> anyhow::Result<()> {
        let _turn = self.write_turn().await;
        sqlx::query("UPDATE users SET shares_seen = $1 WHERE id = $2")
            .bind(i64::from(settings.shares_seen))
            .bind(user.0 as i64)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
