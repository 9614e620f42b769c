//! Eggs: the templates game servers are made from, as Pelican's egg files
//! define them.
//!
//! - [`definition`]: the normalized egg ([`EggDefinition`]), what is stored
//!   and what every file format is turned into.
//! - [`rules`]: the Laravel-style variable rules and [`rules::check`];
//!   [`environment`]: a server's variables checked against its egg.
//! - [`process`]: the Wings `process_configuration` object for a server
//!   ([`process_configuration`]) and the placeholder keys it fills.
//! - [`import`]: reading egg files of every supported format (JSON or
//!   YAML); [`export`]: writing one as `PLCN_v3`; [`check`]: what every
//!   stored egg must pass.
//! - [`store`]: the `eggs` table and [`load`]; [`api`]: the routes.

pub mod api;
pub mod check;
pub mod definition;
pub mod environment;
pub mod export;
pub mod import;
pub mod process;
pub mod rules;
pub mod store;

pub use api::routes;
pub use definition::EggDefinition;
pub use process::process_configuration;
pub use store::{Egg, load};
