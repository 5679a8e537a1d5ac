//! The app's components. Each reads the narrowest piece of the socket context it needs.

mod connection_badge;
mod first_run;

pub use connection_badge::ConnectionBadge;
pub use first_run::FirstRun;
