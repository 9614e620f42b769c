//! Stored eggs: the `eggs` table (migration 0008), its statements, and
//! [`load`], what the servers code calls to read an egg in one query.

use serde::{Deserialize, Serialize};

use super::definition::EggDefinition;
use crate::{
    error::ApiError,
    platform::{
        Platform,
        db::{Database, DatabaseExt, Statement},
    },
};

/// An egg of an organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct Egg {
    /// Flamingo's id for the egg (a UUID, distinct from the egg's own `definition.uuid`).
    pub id: String,
    /// The organization it belongs to.
    pub org_id: String,
    /// The normalized egg.
    pub definition: EggDefinition,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// An egg as listed: what a table of eggs shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
pub struct EggSummary {
    /// Flamingo's id for the egg.
    pub id: String,
    /// The egg's own UUID.
    pub uuid: String,
    /// Display name.
    pub name: String,
    /// Who wrote it.
    pub author: String,
    /// What it runs.
    pub description: String,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub updated_at: String,
}

/// The columns [`Row`] reads.
pub const COLUMNS: &str = "id, org_id, definition, created_at, updated_at";
/// The columns [`EggSummary`] reads.
pub const SUMMARY_COLUMNS: &str = "id, uuid, name, author, description, created_at, updated_at";

/// A row of `eggs` as read.
#[derive(Debug, Deserialize)]
pub struct Row {
    id: String,
    org_id: String,
    definition: String,
    created_at: String,
    updated_at: String,
}

impl Row {
    /// The egg, decoding its stored definition.
    pub fn into_egg(self) -> Result<Egg, ApiError> {
        let definition = serde_json::from_str(&self.definition)
            .map_err(|e| ApiError::Internal(format!("stored egg {}: {e}", self.id)))?;
        Ok(Egg {
            id: self.id,
            org_id: self.org_id,
            definition,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn definition_json(definition: &EggDefinition) -> Result<String, ApiError> {
    serde_json::to_string(definition).map_err(|e| ApiError::Internal(e.to_string()))
}

/// The INSERT adding `egg`.
pub fn insert(egg: &Egg) -> Result<Statement, ApiError> {
    let d = &egg.definition;
    Ok(Statement::new(
        "INSERT INTO eggs (id, org_id, uuid, name, author, description, definition, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(egg.id.as_str())
    .bind(egg.org_id.as_str())
    .bind(d.uuid.as_str())
    .bind(d.name.as_str())
    .bind(d.author.as_str())
    .bind(d.description.as_str())
    .bind(definition_json(d)?)
    .bind(egg.created_at.as_str())
    .bind(egg.updated_at.as_str()))
}

/// The UPDATE writing `egg`'s definition (its uuid stays).
pub fn update(egg: &Egg) -> Result<Statement, ApiError> {
    let d = &egg.definition;
    Ok(Statement::new(
        "UPDATE eggs SET name = ?1, author = ?2, description = ?3, definition = ?4, updated_at = ?5 \
         WHERE id = ?6 AND org_id = ?7",
    )
    .bind(d.name.as_str())
    .bind(d.author.as_str())
    .bind(d.description.as_str())
    .bind(definition_json(d)?)
    .bind(egg.updated_at.as_str())
    .bind(egg.id.as_str())
    .bind(egg.org_id.as_str()))
}

/// The egg `egg_id` of organization `org_id`, if it exists (one query);
/// call it as `egg::load(platform.db.as_ref(), &org.id, &egg_id)`.
pub async fn load(db: &dyn Database, org_id: &str, egg_id: &str) -> Result<Option<Egg>, ApiError> {
    let row: Option<Row> = db
        .first(
            Statement::new(format!(
                "SELECT {COLUMNS} FROM eggs WHERE id = ?1 AND org_id = ?2"
            ))
            .bind(egg_id)
            .bind(org_id),
        )
        .await?;
    row.map(Row::into_egg).transpose()
}

/// Every egg of `org_id`, by name (one query).
pub async fn list(platform: &Platform, org_id: &str) -> Result<Vec<EggSummary>, ApiError> {
    Ok(platform
        .db
        .all(
            Statement::new(format!(
                "SELECT {SUMMARY_COLUMNS} FROM eggs WHERE org_id = ?1 ORDER BY name, id"
            ))
            .bind(org_id),
        )
        .await?)
}
