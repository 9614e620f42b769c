//! The SQL seam: parameterized statements run by D1 in the Worker and by
//! SQLite natively, both applying the same migrations.
//!
//! Rows come back as JSON objects (what D1 returns) and are decoded with serde,
//! so domain code reads `db.all::<Member>(stmt)` the same on every platform.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

/// A value bound to a `?N` parameter. Integers must fit in 53 bits: D1 passes
/// numbers through JavaScript.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 53-bit-safe integer.
    Integer(i64),
    /// A double.
    Real(f64),
    /// UTF-8 text.
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Integer(i64::from(v))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// One SQL statement with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// SQL text with `?1`, `?2`, ... placeholders.
    pub sql: String,
    /// Parameters, in placeholder order.
    pub params: Vec<Value>,
}

impl Statement {
    /// A statement with no parameters yet.
    pub fn new(sql: impl Into<String>) -> Self {
        Statement {
            sql: sql.into(),
            params: Vec::new(),
        }
    }

    /// Appends the next parameter.
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.params.push(value.into());
        self
    }
}

/// What running one statement produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Result rows, as column-name → value objects.
    pub rows: Vec<Map<String, Json>>,
    /// Rows changed by an INSERT/UPDATE/DELETE.
    pub changes: u64,
}

/// Why a statement failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum DbError {
    /// A UNIQUE, CHECK, NOT NULL or foreign-key constraint refused the write.
    #[error("constraint failed: {0}")]
    Constraint(String),
    /// A row could not be decoded into the requested type.
    #[error("decoding row: {0}")]
    Decode(String),
    /// Anything else the database reported.
    #[error("database: {0}")]
    Other(String),
}

/// Classifies a database's error message; D1 and SQLite word constraint
/// failures the same way.
pub fn classify(message: String) -> DbError {
    if message.contains("constraint failed") {
        DbError::Constraint(message)
    } else {
        DbError::Other(message)
    }
}

/// A SQL database: D1 in the Worker, SQLite natively.
#[async_trait]
pub trait Database: Send + Sync {
    /// Runs one statement.
    async fn run(&self, stmt: Statement) -> Result<Outcome, DbError>;

    /// Runs statements atomically, in order: all commit or none do.
    async fn batch(&self, stmts: Vec<Statement>) -> Result<Vec<Outcome>, DbError>;
}

/// Typed reads over any [`Database`].
#[async_trait]
pub trait DatabaseExt: Database {
    /// Every row, decoded as `T`.
    async fn all<T: DeserializeOwned>(&self, stmt: Statement) -> Result<Vec<T>, DbError> {
        decode_rows(self.run(stmt).await?.rows)
    }

    /// The first row, if any, decoded as `T`.
    async fn first<T: DeserializeOwned>(&self, stmt: Statement) -> Result<Option<T>, DbError> {
        Ok(self.all(stmt).await?.into_iter().next())
    }

    /// Runs a write and returns how many rows it changed.
    async fn execute(&self, stmt: Statement) -> Result<u64, DbError> {
        Ok(self.run(stmt).await?.changes)
    }
}

impl<D: Database + ?Sized> DatabaseExt for D {}

/// Decodes result rows into `T`.
pub fn decode_rows<T: DeserializeOwned>(rows: Vec<Map<String, Json>>) -> Result<Vec<T>, DbError> {
    rows.into_iter()
        .map(|row| {
            serde_json::from_value(Json::Object(row)).map_err(|e| DbError::Decode(e.to_string()))
        })
        .collect()
}
