//! Wings behind NAT: a node marked as reached through a tunnel host gets two
//! names there (HTTP for its API, a TCP port for SFTP), a setup command and a
//! systemd unit in its configuration, a key it enrolls with its node token,
//! and from then on Flamingo calls it at the tunnel address. A node key binds
//! only its node's names on its host; nobody else binds them.

use axum::http::StatusCode;
use durable_state::link::{HostAddress, HostMessage};
use edge_api::{game::node, platform::native::HostFrame, tunnels::tunnel_host::HOST_HEADER};
use serde_json::{Value, json};

use crate::common::{
    self, add_member, add_user, api,
    game::{World, config_json, world},
    send, sign_in_as,
};

/// The Wings machine's key (`ssh-keygen -t ed25519`).
const NODE_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMZFfjTeUYQ2ux4nJizYRzXqhmeLM9EH8tg8oogmes2j wings@node";
const NODE_FP: &str = "SHA256:KVKR0n14lhnrwoOHs8WIlK7eUlVDzc2zbLU8a9ROsYs";
/// A member's key.
const USER_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIONMqfAUefYTlvRLearIYl4yGQLAxicfuntld4KoOCzW ada@laptop";

struct Host {
    id: String,
    credential: String,
}

/// Creates and enrolls a tunnel host; with `address`, it has said where it is.
async fn host(w: &World, name: &str, address: bool) -> Host {
    let created = w
        .call("POST", "/tunnel-hosts", Some(json!({ "name": name })))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
    let token = created.json["enrollment_token"].as_str().expect("token");
    let enrolled = send(
        &w.platform,
        api(
            "POST",
            "/api/tunnel-hosts/enroll",
            None,
            Some(json!({ "enrollment_token": token })),
        ),
    )
    .await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{}", enrolled.json);
    let id = enrolled.json["host_id"].as_str().expect("host").to_owned();
    if address {
        let frame = async |f| {
            w.objects
                .host(&w.platform, &id, &w.org_id, f)
                .await
                .expect("frame")
        };
        frame(HostFrame::Connect).await;
        frame(HostFrame::Message(Box::new(HostMessage::Hello {
            version: "0.1.0".into(),
            hostname: None,
            tunnels: vec![],
            address: Some(HostAddress {
                ssh_host: "ssh.example.com".into(),
                ssh_port: 2222,
                tunnel_domain: "tunnel.example.com".into(),
            }),
        })))
        .await;
    }
    Host {
        id,
        credential: enrolled.json["credential"]
            .as_str()
            .expect("credential")
            .to_owned(),
    }
}

async fn as_host(w: &World, host: &Host, uri: &str, body: Value) -> common::Reply {
    let mut request = api("POST", uri, None, Some(body));
    request
        .headers_mut()
        .insert(HOST_HEADER, host.credential.parse().expect("header"));
    send(&w.platform, request).await
}

async fn check(w: &World, host: &Host, name: &str, user: &str) -> bool {
    let reply = as_host(
        w,
        host,
        "/api/tunnel-hosts/names/check",
        json!({ "name": name, "user_id": user }),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json["allowed"].as_bool().expect("allowed")
}

async fn mark(w: &World, host: &Host) -> Value {
    let reply = w
        .call(
            "POST",
            &format!("/nodes/{}/tunnel", w.node_id),
            Some(json!({ "tunnel_host_id": host.id })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.json);
    reply.json
}

#[tokio::test]
async fn a_marked_node_gets_names_a_unit_and_is_called_at_its_tunnel_address() {
    let w = world().await;
    let silent = host(&w, "never-connected", false).await;
    let path = format!("/nodes/{}/tunnel", w.node_id);
    let early = w
        .call("POST", &path, Some(json!({ "tunnel_host_id": silent.id })))
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.json);
    assert_eq!(early.json["error"]["code"], "host_address_unknown");
    for bad in [
        json!({ "tunnel_host_id": "nope" }),
        json!({ "tunnel_host_id": silent.id, "name": "Not A Label!" }),
        json!({ "tunnel_host_id": silent.id, "sftp_port": 70000 }),
    ] {
        let reply = w.call("POST", &path, Some(bad.clone())).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            reply.json
        );
    }
    assert_eq!(
        w.call("GET", &path, None).await.status,
        StatusCode::NOT_FOUND
    );

    // Before: Flamingo reaches the node at its own address.
    let before = w
        .call("GET", &format!("/nodes/{}/system", w.node_id), None)
        .await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.json);
    let server = w.create_server("mc").await;
    let id = server["server"]["id"].as_str().expect("id");
    let direct = w.call("GET", &format!("/servers/{id}/sftp"), None).await;
    assert_eq!(direct.json["host"], "127.0.0.1");
    let seen = w.wings.seen().len();

    let h = host(&w, "vps", true).await;
    let tunnel = mark(&w, &h).await;
    let name = format!("wings-{}", &w.node_id[..8]);
    assert_eq!(tunnel["name"], name);
    assert_eq!(tunnel["sftp_port"], 20022);
    assert_eq!(
        tunnel["api_url"],
        format!("https://{name}.tunnel.example.com")
    );
    assert!(tunnel["key_fingerprint"].is_null());
    assert_eq!(w.call("GET", &path, None).await.json, tunnel);
    let again = w
        .call("POST", &path, Some(json!({ "tunnel_host_id": h.id })))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);

    // The one function that builds node URLs answers the tunnel address.
    let access = node::access(&w.platform, &w.org_id, &w.node_id)
        .await
        .expect("node");
    assert_eq!(
        access.base_url(),
        format!("https://{name}.tunnel.example.com")
    );
    assert_eq!(
        access.sftp_address(),
        ("tunnel.example.com".to_owned(), 20022)
    );
    // ...so the Wings client no longer goes to the node's own address.
    let after = w
        .call("GET", &format!("/nodes/{}/system", w.node_id), None)
        .await;
    assert_eq!(after.status, StatusCode::BAD_GATEWAY, "{}", after.json);
    assert_eq!(
        w.wings.seen().len(),
        seen,
        "nothing reached the node's own address"
    );

    // The configuration: Wings on loopback without TLS of its own, and the unit.
    let config = config_json(&w.platform, &w.owner, &w.org, &w.node_id).await;
    assert_eq!(config["config"]["api"]["host"], "127.0.0.1");
    assert_eq!(config["config"]["api"]["ssl"]["enabled"], false);
    let setup = &config["tunnel"];
    let args: Vec<&str> = setup["ssh_args"]
        .as_array()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("arg"))
        .collect();
    let port = access.daemon_port;
    for expected in [
        format!("{name}:80:127.0.0.1:{port}"),
        format!("20022:127.0.0.1:{}", access.sftp_port),
        "wings@ssh.example.com".to_owned(),
        "ExitOnForwardFailure=yes".to_owned(),
        "2222".to_owned(),
    ] {
        assert!(args.contains(&expected.as_str()), "{expected} in {args:?}");
    }
    let unit = setup["systemd_unit"].as_str().expect("unit");
    assert!(unit.contains("Restart=always"), "{unit}");
    assert!(unit.contains("WantedBy=multi-user.target"), "{unit}");
    assert!(
        unit.contains(&format!(
            "ExecStart={}",
            setup["ssh_command"].as_str().expect("cmd")
        )),
        "{unit}"
    );
    assert!(
        setup["ssh_command"]
            .as_str()
            .expect("cmd")
            .starts_with("/usr/bin/ssh -N -T")
    );
    let command = setup["setup_command"].as_str().expect("setup");
    assert!(command.contains("ssh-keygen -q -t ed25519"), "{command}");
    assert!(command.contains("/api/remote/tunnel-key"), "{command}");
    assert!(
        command.contains("systemctl enable --now flamingo-tunnel.service"),
        "{command}"
    );

    // The console ticket and the SFTP details point at the tunnel too.
    let ticket = w
        .call("GET", &format!("/servers/{id}/websocket"), None)
        .await;
    assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.json);
    assert_eq!(
        ticket.json["socket"],
        format!("wss://{name}.tunnel.example.com/api/servers/{id}/ws")
    );
    let sftp = w.call("GET", &format!("/servers/{id}/sftp"), None).await;
    assert_eq!(sftp.status, StatusCode::OK, "{}", sftp.json);
    assert_eq!(sftp.json["host"], "tunnel.example.com");
    assert_eq!(sftp.json["port"], 20022);
    assert_eq!(sftp.json["url"], "sftp://tunnel.example.com:20022");

    // Removed: the node's own address again.
    let removed = w.call("DELETE", &path, None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let access = node::access(&w.platform, &w.org_id, &w.node_id)
        .await
        .expect("node");
    assert!(access.base_url().starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn the_node_enrolls_its_own_key_with_its_node_token() {
    let w = world().await;
    let h = host(&w, "vps", true).await;
    let no_tunnel = w
        .remote(
            "POST",
            "/api/remote/tunnel-key",
            Some(json!({ "public_key": NODE_KEY })),
        )
        .await;
    assert_eq!(
        no_tunnel.status,
        StatusCode::NOT_FOUND,
        "{}",
        no_tunnel.json
    );
    mark(&w, &h).await;

    let mut forged = api(
        "POST",
        "/api/remote/tunnel-key",
        None,
        Some(json!({ "public_key": NODE_KEY })),
    );
    forged.headers_mut().insert(
        "authorization",
        format!("Bearer {}.{}", w.token_id, "x".repeat(64))
            .parse()
            .expect("header"),
    );
    assert_eq!(
        send(&w.platform, forged).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = w
        .remote(
            "POST",
            "/api/remote/tunnel-key",
            Some(json!({ "public_key": "ssh-ed25519 nope" })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.json);

    let enrolled = w
        .remote(
            "POST",
            "/api/remote/tunnel-key",
            Some(json!({ "public_key": NODE_KEY })),
        )
        .await;
    assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.json);
    assert_eq!(enrolled.json["key_fingerprint"], NODE_FP);
    let same = w
        .remote(
            "POST",
            "/api/remote/tunnel-key",
            Some(json!({ "public_key": NODE_KEY })),
        )
        .await;
    assert_eq!(same.status, StatusCode::OK);
    assert_eq!(
        same.json["key_enrolled_at"],
        enrolled.json["key_enrolled_at"]
    );

    // A member's key cannot become a node's.
    let added = send(
        &w.platform,
        api(
            "POST",
            "/api/me/ssh-keys",
            Some(&w.owner),
            Some(json!({ "name": "laptop", "public_key": USER_KEY })),
        ),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.json);
    let taken = w
        .remote(
            "POST",
            "/api/remote/tunnel-key",
            Some(json!({ "public_key": USER_KEY })),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.json);

    let audit = w.call("GET", "/audit", None).await;
    let actions = audit.json.to_string();
    assert!(actions.contains("node_tunnel.create"), "{actions}");
    assert!(actions.contains("node_tunnel.key_enroll"), "{actions}");
}

#[tokio::test]
async fn a_node_key_opens_only_its_names_and_nobody_else_opens_them() {
    let w = world().await;
    let h = host(&w, "vps", true).await;
    let other = host(&w, "vps-2", true).await;
    let tunnel = mark(&w, &h).await;
    let name = tunnel["name"].as_str().expect("name").to_owned();
    assert_eq!(
        w.remote(
            "POST",
            "/api/remote/tunnel-key",
            Some(json!({ "public_key": NODE_KEY })),
        )
        .await
        .status,
        StatusCode::OK
    );
    let node_user = format!("node:{}", w.node_id);

    // The host learns the key is the node's, and which names it may bind.
    let lookup = as_host(
        &w,
        &h,
        "/api/tunnel-hosts/keys/lookup",
        json!({ "fingerprint": NODE_FP }),
    )
    .await;
    assert_eq!(lookup.status, StatusCode::OK, "{}", lookup.json);
    assert_eq!(lookup.json["user"]["id"], node_user);
    assert_eq!(lookup.json["can_open_tunnels"], true);
    assert_eq!(lookup.json["only_names"], json!([name, "tcp-20022"]));
    assert!(lookup.json.get("role").is_none());
    // Another host of the organization: the key opens nothing there.
    let elsewhere = as_host(
        &w,
        &other,
        "/api/tunnel-hosts/keys/lookup",
        json!({ "fingerprint": NODE_FP }),
    )
    .await;
    assert_eq!(elsewhere.json["can_open_tunnels"], false);
    assert_eq!(elsewhere.json["only_names"], json!([]));

    // A node key: its two names on its host, nothing else.
    assert!(check(&w, &h, &name, &node_user).await);
    assert!(check(&w, &h, "tcp-20022", &node_user).await);
    for not_its in ["myapp", "tcp-20023", "wings-00000000"] {
        assert!(!check(&w, &h, not_its, &node_user).await, "{not_its}");
    }
    assert!(!check(&w, &other, &name, &node_user).await);
    // Another node's user id (a forged name) gets nothing either.
    assert!(!check(&w, &h, &name, "node:00000000-0000-4000-8000-000000000009").await);

    // A user (or an authorized_keys name): never the node's names.
    for user in [w.owner_id.as_str(), "alice", ""] {
        assert!(!check(&w, &h, &name, user).await, "{user}");
        assert!(!check(&w, &h, "tcp-20022", user).await, "{user}");
        assert!(check(&w, &h, "myapp", user).await, "{user}");
    }
    // The node's HTTP name is taken on every host of the organization.
    assert!(!check(&w, &other, &name, &w.owner_id).await);
    // Its port is its host's only.
    assert!(check(&w, &other, "tcp-20022", &w.owner_id).await);

    // A member may not reserve the node's name; a node may not take a member's.
    let reserve = w
        .call("POST", "/tunnel-names", Some(json!({ "name": name })))
        .await;
    assert_eq!(reserve.status, StatusCode::CONFLICT, "{}", reserve.json);
    let mine = w
        .call("POST", "/tunnel-names", Some(json!({ "name": "adas-app" })))
        .await;
    assert_eq!(mine.status, StatusCode::CREATED, "{}", mine.json);
    let id = add_user(&w.platform, "Op", "op@example.com").await;
    add_member(&w.platform, &w.org_id, &id, "admin").await;
    let admin = sign_in_as(&w.platform, &id).await;
    let second = send(
        &w.platform,
        api(
            "POST",
            &format!("/api/orgs/{}/nodes", w.org),
            Some(&admin),
            Some(json!({"name": "node-2", "fqdn": "10.0.0.2"})),
        ),
    )
    .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.json);
    let node2 = second.json["id"].as_str().expect("id");
    let clash = send(
        &w.platform,
        api(
            "POST",
            &format!("/api/orgs/{}/nodes/{node2}/tunnel", w.org),
            Some(&admin),
            Some(json!({ "tunnel_host_id": h.id, "name": "adas-app" })),
        ),
    )
    .await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.json);
    let same_port = send(
        &w.platform,
        api(
            "POST",
            &format!("/api/orgs/{}/nodes/{node2}/tunnel", w.org),
            Some(&admin),
            Some(json!({ "tunnel_host_id": h.id, "sftp_port": 20022 })),
        ),
    )
    .await;
    assert_eq!(same_port.status, StatusCode::CONFLICT, "{}", same_port.json);
    // The next node gets the next free port.
    let next = send(
        &w.platform,
        api(
            "POST",
            &format!("/api/orgs/{}/nodes/{node2}/tunnel", w.org),
            Some(&admin),
            Some(json!({ "tunnel_host_id": h.id })),
        ),
    )
    .await;
    assert_eq!(next.status, StatusCode::CREATED, "{}", next.json);
    assert_eq!(next.json["sftp_port"], 20023);
    // Its key is not enrolled yet: it opens nothing.
    assert!(!check(&w, &h, "tcp-20023", &format!("node:{node2}")).await);
}

#[tokio::test]
async fn only_node_managers_set_up_tunnels() {
    let w = world().await;
    let h = host(&w, "vps", true).await;
    let id = add_user(&w.platform, "Vic", "vic@example.com").await;
    add_member(&w.platform, &w.org_id, &id, "viewer").await;
    let viewer = sign_in_as(&w.platform, &id).await;
    let path = format!("/api/orgs/{}/nodes/{}/tunnel", w.org, w.node_id);
    let denied = send(
        &w.platform,
        api(
            "POST",
            &path,
            Some(&viewer),
            Some(json!({ "tunnel_host_id": h.id })),
        ),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", denied.json);
    mark(&w, &h).await;
    let read = send(&w.platform, api("GET", &path, Some(&viewer), None)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.json);
    // The configuration (with the node token) stays the managers'.
    let config = send(
        &w.platform,
        api(
            "GET",
            &format!(
                "/api/orgs/{}/nodes/{}/configuration?format=json",
                w.org, w.node_id
            ),
            Some(&viewer),
            None,
        ),
    )
    .await;
    assert_eq!(config.status, StatusCode::FORBIDDEN, "{}", config.json);
}
