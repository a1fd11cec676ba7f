//! Thin function components: they draw plain data and hand `Action`s back up.

pub mod broken;
pub mod cluster;
pub mod controls;
pub mod event_log;
pub mod help;
pub mod history;
pub mod in_flight;
pub mod inspector;
pub mod invariants;
pub mod legend;
pub mod milestones;
pub mod node_card;
pub mod picker;
pub mod sequence;
mod sequence_layout;
pub mod tour;
