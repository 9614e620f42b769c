//! A game world for native tests: an owner, an organization, a fake Wings
//! node with allocations, and an egg.

use axum::http::{StatusCode, header};
use edge_api::{
    Platform,
    game::egg::{Egg, EggDefinition, store},
};
use serde_json::{Value, json};

use super::{START_MS, api, get, send, setup_owner, wings::FakeWings};

/// Everything a game test starts from.
pub struct World {
    pub platform: Platform,
    pub clock: std::sync::Arc<edge_api::platform::native::ManualClock>,
    pub owner: String,
    pub owner_id: String,
    pub org_id: String,
    pub org: String,
    pub wings: FakeWings,
    pub node_id: String,
    pub token_id: String,
    pub token: String,
    pub egg_id: String,
    pub egg_uuid: String,
    /// The in-process Durable Objects (what the edge sent the console relays).
    pub objects: std::sync::Arc<edge_api::platform::native::LocalObjects>,
}

/// A Paper-like egg with two variables and a config file with placeholders.
pub fn egg_definition() -> EggDefinition {
    serde_json::from_value(json!({
        "uuid": "5da37ef6-58da-4169-90a6-e683e1721247",
        "name": "Paper",
        "author": "parker@example.com",
        "description": "A Minecraft server",
        "features": ["eula"],
        "docker_images": [
            {"label": "Java 21", "image": "ghcr.io/pelican-eggs/yolks:java_21"},
            {"label": "Java 17", "image": "ghcr.io/pelican-eggs/yolks:java_17"}
        ],
        "file_denylist": ["*.jar.bak"],
        "startup_commands": [{"name": "Default", "command": "java -Xmx{{SERVER_MEMORY}}M -jar {{SERVER_JARFILE}}"}],
        "config": {
            "files": {"server.properties": {"parser": "properties", "find": {
                "server-ip": "{{server.allocations.default.ip}}",
                "server-port": "{{server.allocations.default.port}}"
            }}},
            "startup": {"done": [")! For help, type "], "strip_ansi": false},
            "logs": {},
            "stop": "stop"
        },
        "install": {"script": "#!/bin/ash\r\necho installing\r\n", "container": "ghcr.io/pelican-eggs/installers:alpine", "entrypoint": "ash"},
        "variables": [
            {"name": "Jar", "description": "", "env_variable": "SERVER_JARFILE", "default_value": "server.jar",
             "user_viewable": true, "user_editable": true, "rules": ["required", "string", "max:20"]},
            {"name": "Build", "description": "", "env_variable": "BUILD_NUMBER", "default_value": "latest",
             "user_viewable": true, "user_editable": false, "rules": ["required", "string", "max:20"]}
        ]
    }))
    .expect("egg definition")
}

/// Sets up the world with a node on a fresh fake Wings and 6 free allocations.
pub async fn world() -> World {
    let clock = std::sync::Arc::new(edge_api::platform::native::ManualClock::new(START_MS));
    let (platform, objects) =
        edge_api::platform::native::platform_with_objects(clock.clone()).expect("platform");
    let (owner, me) = setup_owner(&platform).await;
    let org_id = me["memberships"][0]["org_id"]
        .as_str()
        .expect("org")
        .to_owned();
    let org = me["memberships"][0]["slug"]
        .as_str()
        .expect("slug")
        .to_owned();
    let owner_id = me["user"]["id"].as_str().expect("user").to_owned();
    let (wings, port) = FakeWings::start().await;
    let node = send(
        &platform,
        api(
            "POST",
            &format!("/api/orgs/{org}/nodes"),
            Some(&owner),
            Some(json!({"name": "node-1", "fqdn": "127.0.0.1", "scheme": "http", "daemon_port": port})),
        ),
    )
    .await;
    assert_eq!(node.status, StatusCode::CREATED, "{}", node.json);
    let node_id = node.json["id"].as_str().expect("node id").to_owned();
    let config = config_json(&platform, &owner, &org, &node_id).await;
    let token_id = config["config"]["token_id"]
        .as_str()
        .expect("token_id")
        .to_owned();
    let token = config["config"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    wings.connect(&platform, &token_id, &token);
    let alloc = send(
        &platform,
        api(
            "POST",
            &format!("/api/orgs/{org}/nodes/{node_id}/allocations"),
            Some(&owner),
            Some(json!({"ip": "0.0.0.0", "ports": ["25565-25570"]})),
        ),
    )
    .await;
    assert_eq!(alloc.status, StatusCode::CREATED, "{}", alloc.json);
    let egg = Egg {
        id: edge_api::crypto::uuid().expect("uuid"),
        org_id: org_id.clone(),
        definition: egg_definition(),
        created_at: "2026-11-22T10:00:00.000Z".into(),
        updated_at: "2026-11-22T10:00:00.000Z".into(),
    };
    platform
        .db
        .run(store::insert(&egg).expect("insert"))
        .await
        .expect("egg stored");
    World {
        platform,
        clock,
        owner,
        owner_id,
        org_id,
        org,
        wings,
        node_id,
        token_id,
        token,
        egg_id: egg.id,
        egg_uuid: egg.definition.uuid,
        objects,
    }
}

/// The node's configuration in its JSON form.
pub async fn config_json(platform: &Platform, cookie: &str, org: &str, node: &str) -> Value {
    let reply = send(
        platform,
        api(
            "GET",
            &format!("/api/orgs/{org}/nodes/{node}/configuration?format=json"),
            Some(cookie),
            None,
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json
}

impl World {
    /// A request to `path` of the org as the owner.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> super::Reply {
        send(
            &self.platform,
            api(
                method,
                &format!("/api/orgs/{}{path}", self.org),
                Some(&self.owner),
                body,
            ),
        )
        .await
    }

    /// A server body with sensible limits and an automatic allocation.
    pub fn server_body(&self, name: &str) -> Value {
        json!({
            "name": name,
            "node_id": self.node_id,
            "egg_id": self.egg_id,
            "auto_allocation": true,
            "limits": {"memory": 1024, "swap": 0, "disk": 2048, "io": 500, "cpu": 100},
            "environment": {"SERVER_JARFILE": "paper.jar"}
        })
    }

    /// Creates a server as the owner; returns its JSON (`server`, `allocations`).
    pub async fn create_server(&self, name: &str) -> Value {
        let reply = self
            .call("POST", "/servers", Some(self.server_body(name)))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
        reply.json
    }

    /// A request to the remote API as this node.
    pub async fn remote(&self, method: &str, path: &str, body: Option<Value>) -> super::Reply {
        let mut request = match body {
            Some(b) => super::with_body(method, path, b.to_string()),
            None => {
                let mut r = get(path);
                *r.method_mut() = method.parse().expect("method");
                r
            }
        };
        request.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {}.{}", self.token_id, self.token)
                .parse()
                .expect("header"),
        );
        send(&self.platform, request).await
    }
}
