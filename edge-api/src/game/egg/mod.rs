//! Eggs: the templates game servers are made from, as Pelican's egg files
//! define them.
//!
//! - [`definition`]: the normalized egg ([`EggDefinition`]), what is stored
//!   and what every file format is turned into.
//! - [`rules`]: the Laravel-style variable rules and [`rules::check`].
//! - [`process`]: the Wings `process_configuration` object for a server
//!   ([`process_configuration`]) and the placeholder keys it fills.
//! - [`store`]: the `eggs` table and [`load`].

pub mod definition;
pub mod process;
pub mod rules;
pub mod store;

pub use definition::EggDefinition;
pub use process::process_configuration;
pub use store::{Egg, load};
