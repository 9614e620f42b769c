//! The whole route table in one place: every route the router serves, from
//! every area, with the access it declares. Areas contribute their routes
//! (`router::routes()` collects them); this list is where a reader sees them
//! all, and where a new route or a changed access must be written down.

use std::collections::BTreeSet;

use edge_api::{
    auth::{Access, Action, ServerNeed},
    router::routes,
};

/// Every route and the access it declares. A new route fails this test
/// until it is added here, so its access is a reviewed decision.
const DECLARED: &[(&str, &str, &str)] = &[
    ("GET", "/api/health", "public"),
    ("GET", "/api/setup", "public"),
    ("POST", "/api/setup", "public"),
    ("POST", "/api/auth/login", "public"),
    ("POST", "/api/auth/logout", "session"),
    ("GET", "/api/auth/me", "signed_in"),
    ("PATCH", "/api/auth/me", "session"),
    ("PUT", "/api/auth/password", "session"),
    ("GET", "/api/auth/sessions", "session"),
    ("DELETE", "/api/auth/sessions", "session"),
    ("DELETE", "/api/auth/sessions/{id}", "session"),
    ("POST", "/api/auth/totp/setup", "session"),
    ("POST", "/api/auth/totp/enable", "session"),
    ("POST", "/api/auth/totp/disable", "session"),
    ("POST", "/api/auth/totp/recovery-codes", "session"),
    ("GET", "/api/me/api-keys", "session"),
    ("POST", "/api/me/api-keys", "session"),
    ("DELETE", "/api/me/api-keys/{id}", "session"),
    ("POST", "/api/orgs", "session"),
    ("GET", "/api/orgs/{org}", "settings:read"),
    ("PATCH", "/api/orgs/{org}", "settings:write"),
    ("GET", "/api/orgs/{org}/members", "members:read"),
    ("PATCH", "/api/orgs/{org}/members/{user}", "members:write"),
    ("DELETE", "/api/orgs/{org}/members/{user}", "members:write"),
    ("GET", "/api/orgs/{org}/invitations", "members:read"),
    ("POST", "/api/orgs/{org}/invitations", "members:write"),
    (
        "DELETE",
        "/api/orgs/{org}/invitations/{id}",
        "members:write",
    ),
    ("GET", "/api/orgs/{org}/audit", "audit:read"),
    ("GET", "/api/orgs/{org}/events", "audit:read"),
    ("GET", "/api/orgs/{org}/eggs", "nodes:read"),
    ("POST", "/api/orgs/{org}/eggs", "nodes:write"),
    ("POST", "/api/orgs/{org}/eggs/import", "nodes:write"),
    ("GET", "/api/orgs/{org}/eggs/{egg}", "nodes:read"),
    ("PATCH", "/api/orgs/{org}/eggs/{egg}", "nodes:write"),
    ("DELETE", "/api/orgs/{org}/eggs/{egg}", "nodes:write"),
    ("GET", "/api/orgs/{org}/eggs/{egg}/export", "nodes:read"),
    ("GET", "/api/join/{token}", "public"),
    ("POST", "/api/join/{token}", "public"),
    ("GET", "/api/orgs/{org}/tunnel-hosts", "vps:read"),
    ("POST", "/api/orgs/{org}/tunnel-hosts", "vps:write"),
    ("DELETE", "/api/orgs/{org}/tunnel-hosts/{id}", "vps:write"),
    ("POST", "/api/tunnel-hosts/enroll", "public"),
    ("POST", "/api/tunnel-hosts/keys/lookup", "public"),
    ("GET", "/api/me/ssh-keys", "session"),
    ("POST", "/api/me/ssh-keys", "session"),
    ("DELETE", "/api/me/ssh-keys/{id}", "session"),
    ("POST", "/api/tunnel-hosts/device", "public"),
    ("POST", "/api/tunnel-hosts/device/poll", "public"),
    ("POST", "/api/activate", "session"),
    ("GET", "/api/orgs/{org}/tunnels", "tunnels:read"),
    ("DELETE", "/api/orgs/{org}/tunnels/{id}", "tunnels:write"),
    ("GET", "/api/orgs/{org}/tunnel-names", "tunnels:read"),
    ("POST", "/api/orgs/{org}/tunnel-names", "tunnels:write"),
    (
        "DELETE",
        "/api/orgs/{org}/tunnel-names/{name}",
        "tunnels:write",
    ),
    ("POST", "/api/tunnel-hosts/names/check", "public"),
    ("GET", "/api/tunnel-hosts/link", "public"),
    ("GET", "/api/orgs/{org}/nodes", "nodes:read"),
    ("POST", "/api/orgs/{org}/nodes", "nodes:write"),
    ("GET", "/api/orgs/{org}/nodes/{node}", "nodes:read"),
    ("PATCH", "/api/orgs/{org}/nodes/{node}", "nodes:write"),
    ("DELETE", "/api/orgs/{org}/nodes/{node}", "nodes:write"),
    (
        "GET",
        "/api/orgs/{org}/nodes/{node}/configuration",
        "nodes:write",
    ),
    ("POST", "/api/orgs/{org}/nodes/{node}/token", "nodes:write"),
    ("GET", "/api/orgs/{org}/nodes/{node}/system", "nodes:read"),
    ("GET", "/api/orgs/{org}/nodes/{node}/ips", "nodes:read"),
    (
        "GET",
        "/api/orgs/{org}/nodes/{node}/allocations",
        "nodes:read",
    ),
    (
        "POST",
        "/api/orgs/{org}/nodes/{node}/allocations",
        "nodes:write",
    ),
    (
        "PATCH",
        "/api/orgs/{org}/nodes/{node}/allocations/{allocation}",
        "nodes:write",
    ),
    (
        "DELETE",
        "/api/orgs/{org}/nodes/{node}/allocations/{allocation}",
        "nodes:write",
    ),
    (
        "GET",
        "/api/application/nodes/{node}/configuration",
        "signed_in",
    ),
    ("GET", "/api/me/servers", "signed_in"),
    ("GET", "/api/orgs/{org}/servers", "game_servers:read"),
    ("POST", "/api/orgs/{org}/servers", "game_servers:write"),
    (
        "GET",
        "/api/orgs/{org}/servers/utilization",
        "game_servers:read",
    ),
    ("GET", "/api/orgs/{org}/servers/{server}", "server:any"),
    (
        "PATCH",
        "/api/orgs/{org}/servers/{server}",
        "server:settings.rename or settings.description",
    ),
    (
        "DELETE",
        "/api/orgs/{org}/servers/{server}",
        "server:org-write",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/suspend",
        "server:org-write",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/unsuspend",
        "server:org-write",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/reinstall",
        "server:settings.reinstall",
    ),
    (
        "PUT",
        "/api/orgs/{org}/servers/{server}/build",
        "server:org-write",
    ),
    (
        "PUT",
        "/api/orgs/{org}/servers/{server}/startup",
        "server:startup.update or startup.docker-image",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/power",
        "server:control.start or control.stop or control.restart",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/command",
        "server:control.console",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/resources",
        "server:websocket.connect",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/logs",
        "server:websocket.connect",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/install-logs",
        "server:admin.websocket.install",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/websocket",
        "server:websocket.connect",
    ),
    // console relay (issue 14)
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/console",
        "server:websocket.connect",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/subusers",
        "server:user.read",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/subusers",
        "server:user.create",
    ),
    (
        "PATCH",
        "/api/orgs/{org}/servers/{server}/subusers/{user}",
        "server:user.update",
    ),
    (
        "DELETE",
        "/api/orgs/{org}/servers/{server}/subusers/{user}",
        "server:user.delete",
    ),
    // Files (issue 14).
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/files/list",
        "server:file.read",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/files/search",
        "server:file.read",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/files/contents",
        "server:file.read-content",
    ),
    (
        "PUT",
        "/api/orgs/{org}/servers/{server}/files/contents",
        "server:file.update",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/files/download",
        "server:file.read-content",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/files/upload",
        "server:file.create",
    ),
    (
        "PUT",
        "/api/orgs/{org}/servers/{server}/files/rename",
        "server:file.update",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/files/copy",
        "server:file.create",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/files/delete",
        "server:file.delete",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/files/create-folder",
        "server:file.create",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/files/compress",
        "server:file.archive",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/files/decompress",
        "server:file.archive",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/files/chmod",
        "server:file.update",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/files/pull",
        "server:file.create",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/activity",
        "server:activity.read",
    ),
    // Schedules (issue 16).
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/schedules",
        "server:schedule.read",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/schedules",
        "server:schedule.create",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/schedules/{schedule}",
        "server:schedule.read",
    ),
    (
        "PATCH",
        "/api/orgs/{org}/servers/{server}/schedules/{schedule}",
        "server:schedule.update",
    ),
    (
        "DELETE",
        "/api/orgs/{org}/servers/{server}/schedules/{schedule}",
        "server:schedule.delete",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/schedules/{schedule}/run",
        "server:schedule.update",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/schedules/{schedule}/tasks",
        "server:schedule.update",
    ),
    (
        "PATCH",
        "/api/orgs/{org}/servers/{server}/schedules/{schedule}/tasks/{task}",
        "server:schedule.update",
    ),
    (
        "DELETE",
        "/api/orgs/{org}/servers/{server}/schedules/{schedule}/tasks/{task}",
        "server:schedule.update",
    ),
    // Webhooks (issue 16): an endpoint's URL can hold a token.
    ("GET", "/api/orgs/{org}/webhooks", "settings:write"),
    ("POST", "/api/orgs/{org}/webhooks", "settings:write"),
    (
        "GET",
        "/api/orgs/{org}/webhooks/{webhook}",
        "settings:write",
    ),
    (
        "PATCH",
        "/api/orgs/{org}/webhooks/{webhook}",
        "settings:write",
    ),
    (
        "DELETE",
        "/api/orgs/{org}/webhooks/{webhook}",
        "settings:write",
    ),
    (
        "GET",
        "/api/orgs/{org}/webhooks/{webhook}/deliveries",
        "settings:write",
    ),
    (
        "POST",
        "/api/orgs/{org}/webhooks/{webhook}/deliveries/{delivery}/redeliver",
        "settings:write",
    ),
    (
        "POST",
        "/api/orgs/{org}/webhooks/{webhook}/test",
        "settings:write",
    ),
    ("GET", "/api/remote/servers", "node"),
    ("POST", "/api/remote/servers/reset", "node"),
    ("GET", "/api/remote/servers/{uuid}", "node"),
    ("GET", "/api/remote/servers/{uuid}/install", "node"),
    ("POST", "/api/remote/servers/{uuid}/install", "node"),
    (
        "POST",
        "/api/remote/servers/{uuid}/container/status",
        "node",
    ),
    (
        "POST",
        "/api/remote/servers/{uuid}/transfer/success",
        "node",
    ),
    (
        "POST",
        "/api/remote/servers/{uuid}/transfer/failure",
        "node",
    ),
    ("POST", "/api/remote/servers/{uuid}/archive", "node"),
    ("POST", "/api/remote/sftp/auth", "node"),
    ("POST", "/api/remote/activity", "node"),
    // Backups (issue 14 item 3).
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/backups",
        "server:backup.read",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/backups",
        "server:backup.create",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/backups/{backup}",
        "server:backup.read",
    ),
    (
        "DELETE",
        "/api/orgs/{org}/servers/{server}/backups/{backup}",
        "server:backup.delete",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/backups/{backup}/lock",
        "server:backup.delete",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/backups/{backup}/unlock",
        "server:backup.delete",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/backups/{backup}/restore",
        "server:backup.restore",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/backups/{backup}/download",
        "server:backup.download",
    ),
    // Transfers between nodes (issue 13).
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/transfer",
        "server:any",
    ),
    (
        "POST",
        "/api/orgs/{org}/servers/{server}/transfer",
        "nodes:write",
    ),
    (
        "DELETE",
        "/api/orgs/{org}/servers/{server}/transfer",
        "nodes:write",
    ),
    ("GET", "/api/remote/backups/{uuid}", "node"),
    ("POST", "/api/remote/backups/{uuid}", "node"),
    ("POST", "/api/remote/backups/{uuid}/restore", "node"),
    // Wings behind NAT.
    ("GET", "/api/orgs/{org}/nodes/{node}/tunnel", "nodes:read"),
    ("POST", "/api/orgs/{org}/nodes/{node}/tunnel", "nodes:write"),
    (
        "DELETE",
        "/api/orgs/{org}/nodes/{node}/tunnel",
        "nodes:write",
    ),
    (
        "GET",
        "/api/orgs/{org}/servers/{server}/sftp",
        "server:file.sftp",
    ),
    ("POST", "/api/remote/tunnel-key", "node"),
];

fn describe(access: Access) -> String {
    match access {
        Access::Public => "public".into(),
        Access::SignedIn => "signed_in".into(),
        Access::Session => "session".into(),
        Access::Node => "node".into(),
        Access::Server(need) => match need {
            ServerNeed::Permission(p) => format!("server:{p}"),
            ServerNeed::AnyOf(list) => format!("server:{}", list.join(" or ")),
            ServerNeed::Look => "server:any".into(),
            ServerNeed::Org(action) => format!(
                "server:org-{}",
                if action == Action::Read {
                    "read"
                } else {
                    "write"
                }
            ),
        },
        Access::Org(resource, action) => {
            let resource = serde_json::to_value(resource)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned));
            let action = if action == Action::Read {
                "read"
            } else {
                "write"
            };
            format!("{}:{action}", resource.unwrap_or_default())
        }
    }
}

#[test]
fn every_route_declares_a_reviewed_access() {
    let actual: BTreeSet<(String, String, String)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned(), describe(r.access)))
        .collect();
    let declared: BTreeSet<(String, String, String)> = DECLARED
        .iter()
        .map(|(m, p, a)| ((*m).to_owned(), (*p).to_owned(), (*a).to_owned()))
        .collect();
    let undeclared: Vec<_> = actual.difference(&declared).collect();
    let missing: Vec<_> = declared.difference(&actual).collect();
    assert!(
        undeclared.is_empty(),
        "routes without a reviewed access, add them to DECLARED: {undeclared:?}"
    );
    assert!(
        missing.is_empty(),
        "declared routes that no longer exist: {missing:?}"
    );
    assert_eq!(
        actual.len(),
        routes().len(),
        "a method and path registered twice"
    );
}

/// `docs/api.md`, the API reference the panel links to, lists every route
/// with its access, and nothing else, so it cannot drift from the router.
#[test]
fn the_api_reference_lists_every_route_with_its_access() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api.md");
    let reference = std::fs::read_to_string(path).expect("docs/api.md");
    let listed: BTreeSet<(String, String, String)> = reference
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // "| `GET` | `/api/health` | public | what |" splits into 6 cells.
            let [_, method, path, access, _, _] = cells.as_slice() else {
                return None;
            };
            let method = method.strip_prefix('`')?.strip_suffix('`')?;
            let path = path.strip_prefix('`')?.strip_suffix('`')?;
            Some((method.to_owned(), path.to_owned(), (*access).to_owned()))
        })
        .collect();
    let declared: BTreeSet<(String, String, String)> = routes()
        .iter()
        .map(|r| {
            let access = match describe(r.access).as_str() {
                "session" => "browser session".to_owned(),
                "signed_in" => "signed in".to_owned(),
                other => other.to_owned(),
            };
            (r.method.to_string(), r.path.to_owned(), access)
        })
        .collect();
    let unlisted: Vec<_> = declared.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&declared).collect();
    assert!(
        unlisted.is_empty(),
        "routes missing from docs/api.md: {unlisted:?}"
    );
    assert!(
        stale.is_empty(),
        "docs/api.md lists what the router does not serve: {stale:?}"
    );
}
