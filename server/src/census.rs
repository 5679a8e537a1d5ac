//! How many sockets are open: in all, from each address, for each person. Each
//! has a cap (`--max-sockets`, `--max-sockets-per-address`,
//! `--max-sockets-per-user`), so no one client can take every connection the
//! server can hold. A socket holds a [`Seat`] for its whole life; dropping it
//! frees the place.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use hanmadi_protocol::UserId;

#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub total: usize,
    pub per_address: usize,
    pub per_user: usize,
}

/// Which cap a new socket met; the reason sent with the close.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    Server,
    Address,
    User,
}

impl Full {
    pub fn reason(self) -> &'static str {
        match self {
            Full::Server => "the server is full",
            Full::Address => "too many connections from your address",
            Full::User => "too many connections for this account; close a tab",
        }
    }
}

pub struct Census {
    caps: Caps,
    counts: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
    by_user: HashMap<UserId, usize>,
}

/// One socket's place, from upgrade to close.
pub struct Seat {
    census: Arc<Census>,
    address: IpAddr,
    user: Option<UserId>,
}

impl Census {
    pub fn new(caps: Caps) -> Arc<Self> {
        Arc::new(Self { caps, counts: Mutex::default() })
    }

    /// A place for a new socket from `address`, if the caps allow.
    pub fn admit(self: &Arc<Self>, address: IpAddr) -> Result<Seat, Full> {
        let mut counts = self.counts.lock().expect("census lock");
        if counts.total >= self.caps.total {
            return Err(Full::Server);
        }
        let from_address = counts.by_address.entry(address).or_default();
        if *from_address >= self.caps.per_address {
            return Err(Full::Address);
        }
        *from_address += 1;
        counts.total += 1;
        Ok(Seat { census: Arc::clone(self), address, user: None })
    }
}

impl Seat {
    /// The socket said who it is (once): counted against that person's cap.
    pub fn claim(&mut self, user: UserId) -> Result<(), Full> {
        let mut counts = self.census.counts.lock().expect("census lock");
        let of_user = counts.by_user.entry(user).or_default();
        if *of_user >= self.census.caps.per_user {
            return Err(Full::User);
        }
        *of_user += 1;
        self.user = Some(user);
        Ok(())
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        let mut counts = self.census.counts.lock().expect("census lock");
        counts.total -= 1;
        release(&mut counts.by_address, self.address);
        if let Some(user) = self.user {
            release(&mut counts.by_user, user);
        }
    }
}

/// One fewer under `key`; the entry goes when none are left, so the maps hold
/// only those with sockets open.
fn release<K: std::hash::Hash + Eq>(counts: &mut HashMap<K, usize>, key: K) {
    if let Some(count) = counts.get_mut(&key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const CAFE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn each_cap_holds_and_a_closed_socket_frees_its_place() {
        let census = Census::new(Caps { total: 3, per_address: 2, per_user: 1 });
        let mut first = census.admit(HOME).unwrap();
        let second = census.admit(HOME).unwrap();
        assert_eq!(census.admit(HOME).err(), Some(Full::Address));
        let third = census.admit(CAFE).unwrap();
        assert_eq!(census.admit(CAFE).err(), Some(Full::Server));

        first.claim(UserId(7)).unwrap();
        let mut other_tab = third;
        assert_eq!(other_tab.claim(UserId(7)), Err(Full::User));
        drop(first);
        assert_eq!(other_tab.claim(UserId(7)), Ok(()), "the first tab closed");
        drop(second);
        assert!(census.admit(HOME).is_ok());
    }
}
