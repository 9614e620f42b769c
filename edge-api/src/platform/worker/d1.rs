//! D1 behind the [`Database`] seam.

use async_trait::async_trait;
use serde_json::{Map, Value as Json};
use worker::{
    D1Database, D1PreparedStatement, D1Result,
    send::{SendFuture, SendWrapper},
    wasm_bindgen::JsValue,
};

use crate::platform::db::{Database, DbError, Outcome, Statement, Value, classify};

/// The `DB` binding.
pub struct D1(SendWrapper<D1Database>);

impl D1 {
    pub fn new(db: D1Database) -> Self {
        D1(SendWrapper::new(db))
    }

    fn prepare(&self, stmt: &Statement) -> Result<D1PreparedStatement, DbError> {
        let params: Vec<JsValue> = stmt.params.iter().map(js_of).collect();
        self.0
            .prepare(stmt.sql.as_str())
            .bind(&params)
            .map_err(error)
    }
}

fn js_of(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::null(),
        Value::Integer(i) => JsValue::from_f64(*i as f64),
        Value::Real(f) => JsValue::from_f64(*f),
        Value::Text(s) => JsValue::from_str(s),
    }
}

fn outcome(result: &D1Result) -> Result<Outcome, DbError> {
    if let Some(e) = result.error() {
        return Err(classify(e));
    }
    let rows: Vec<Map<String, Json>> = result.results().map_err(error)?;
    let changes = result
        .meta()
        .map_err(error)?
        .and_then(|m| m.changes)
        .unwrap_or(0) as u64;
    Ok(Outcome { rows, changes })
}

fn error(e: worker::Error) -> DbError {
    let message = match &e {
        worker::Error::D1(d1) => d1.cause(),
        other => other.to_string(),
    };
    classify(message)
}

#[async_trait]
impl Database for D1 {
    async fn run(&self, stmt: Statement) -> Result<Outcome, DbError> {
        let prepared = self.prepare(&stmt)?;
        let result = SendFuture::new(async move { prepared.all().await })
            .await
            .map_err(error)?;
        outcome(&result)
    }

    async fn batch(&self, stmts: Vec<Statement>) -> Result<Vec<Outcome>, DbError> {
        let prepared = stmts
            .iter()
            .map(|s| self.prepare(s))
            .collect::<Result<Vec<_>, _>>()?;
        let results = SendFuture::new(self.0.batch(prepared))
            .await
            .map_err(error)?;
        results.iter().map(outcome).collect()
    }
}
