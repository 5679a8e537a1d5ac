//! The app's components. Each reads the narrowest piece of the socket context it needs.

mod connection_badge;

pub use connection_badge::ConnectionBadge;
