//! The record of what happened, shared by every area: the audit log
//! ([`audit`]: an entry in the same D1 batch as each change) and the live
//! events it becomes ([`events`]: published to the organization's streams
//! once the batch has committed). An area records what it did here, never
//! by calling another area.

pub mod audit;
pub mod events;
