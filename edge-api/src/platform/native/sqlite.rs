//! SQLite with the D1 migrations applied, speaking the [`Database`] seam.

use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use rusqlite::{Connection, ToSql, types::ValueRef};
use serde_json::{Map, Number, Value as Json};

use super::migrations::MIGRATIONS;
use crate::platform::db::{Database, DbError, Outcome, Statement, Value, classify};

/// A SQLite database. Calls are serialized, as D1 serializes writes.
#[derive(Debug)]
pub struct Sqlite {
    conn: Mutex<Connection>,
}

impl Sqlite {
    /// A private in-memory database with every migration applied.
    pub fn open_in_memory() -> Result<Self, DbError> {
        Self::migrate(Connection::open_in_memory().map_err(other)?)
    }

    /// A database file with every pending migration applied.
    pub fn open(path: &std::path::Path) -> Result<Self, DbError> {
        Self::migrate(Connection::open(path).map_err(other)?)
    }

    /// Applies pending migrations, recording them in `d1_migrations` as
    /// wrangler does.
    fn migrate(mut conn: Connection) -> Result<Self, DbError> {
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE IF NOT EXISTS d1_migrations (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 name TEXT UNIQUE,
                 applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
             );",
        )
        .map_err(other)?;
        for migration in MIGRATIONS {
            let tx = conn.transaction().map_err(other)?;
            let applied: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM d1_migrations WHERE name = ?1)",
                    [migration.name],
                    |row| row.get(0),
                )
                .map_err(other)?;
            if !applied {
                tx.execute_batch(migration.sql)
                    .map_err(|e| DbError::Other(format!("migration {}: {e}", migration.name)))?;
                tx.execute(
                    "INSERT INTO d1_migrations (name) VALUES (?1)",
                    [migration.name],
                )
                .map_err(other)?;
            }
            tx.commit().map_err(other)?;
        }
        Ok(Sqlite {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, DbError> {
        self.conn
            .lock()
            .map_err(|_| DbError::Other("sqlite lock poisoned".into()))
    }
}

#[async_trait]
impl Database for Sqlite {
    async fn run(&self, stmt: Statement) -> Result<Outcome, DbError> {
        let conn = self.lock()?;
        run_one(&conn, &stmt)
    }

    async fn batch(&self, stmts: Vec<Statement>) -> Result<Vec<Outcome>, DbError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction().map_err(other)?;
        let outcomes = stmts
            .iter()
            .map(|stmt| run_one(&tx, stmt))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit().map_err(other)?;
        Ok(outcomes)
    }
}

fn run_one(conn: &Connection, stmt: &Statement) -> Result<Outcome, DbError> {
    let mut prepared = conn.prepare(&stmt.sql).map_err(classify_err)?;
    let names: Vec<String> = prepared
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let params: Vec<&dyn ToSql> = stmt.params.iter().map(|v| v as &dyn ToSql).collect();
    let before = conn.total_changes();
    let mut rows = prepared.query(params.as_slice()).map_err(classify_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(classify_err)? {
        let mut object = Map::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            object.insert(name.clone(), json_of(row.get_ref(i).map_err(other)?));
        }
        out.push(object);
    }
    drop(rows);
    Ok(Outcome {
        rows: out,
        changes: conn.total_changes().saturating_sub(before),
    })
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, Value as Sql};
        Ok(ToSqlOutput::Owned(match self {
            Value::Null => Sql::Null,
            Value::Integer(i) => Sql::Integer(*i),
            Value::Real(f) => Sql::Real(*f),
            Value::Text(s) => Sql::Text(s.clone()),
        }))
    }
}

/// What D1 would return for the column value.
fn json_of(value: ValueRef<'_>) -> Json {
    match value {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(i) => Json::from(i),
        ValueRef::Real(f) => Number::from_f64(f).map_or(Json::Null, Json::Number),
        ValueRef::Text(t) => Json::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Json::Array(b.iter().map(|&x| Json::from(x)).collect()),
    }
}

fn classify_err(e: rusqlite::Error) -> DbError {
    classify(e.to_string())
}

fn other(e: rusqlite::Error) -> DbError {
    DbError::Other(e.to_string())
}
