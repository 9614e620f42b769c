//! The Discord-formatted body: a short message and one embed, for an
//! endpoint that is a Discord channel webhook.

use serde_json::{Value, json};

/// Discord's body for a Standard Webhooks `payload` ({type, timestamp, data}).
pub fn body(payload: &Value) -> Value {
    let kind = payload["type"].as_str().unwrap_or("event");
    let data = &payload["data"];
    let facts: Vec<Value> = data
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(_, v)| v.is_string() || v.is_number() || v.is_boolean())
                .take(10)
                .map(|(k, v)| {
                    let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    json!({ "name": k, "value": text.chars().take(200).collect::<String>(), "inline": true })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "username": "Flamingo",
        "content": format!("Flamingo: {kind}"),
        "embeds": [{
            "title": kind,
            "timestamp": payload["timestamp"],
            "fields": facts,
        }],
        "allowed_mentions": { "parse": [] },
    })
}
