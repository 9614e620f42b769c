//! Game servers on Pelican Wings.
//!
//! - [`egg`]: eggs, the templates servers are made from (the eggs lane).
//! - [`node`], [`node_config`], [`node_push`], [`node_ips`], [`allocation`]:
//!   Wings nodes, their `config.yml` (pushed to Wings when it changes), their
//!   addresses and their `ip:port` allocations.
//! - [`server`], [`server_create`], [`server_action`], [`server_logs`], [`settings`]:
//!   servers, creating them, what people do to them, their logs, and their
//!   configuration as Wings reads it.
//! - [`subuser`], [`subuser_invitation`], [`permission`]: per-server access
//!   with Pelican's permission strings, and links inviting new people to one server.
//! - [`wings`]: the typed client for a node's API, its errors and the JWTs
//!   Flamingo signs for it.
//! - [`remote`]: the API Wings calls back (`/api/remote/*`).
//! - [`console`]: the console relay's upgrade and the closing of viewers.
//! - [`utilization`]: live figures for the server list, one call per node.
//! - [`backup`]: backups on the node's disk or in S3, and Wings' reports on them.
//! - [`transfer`], [`transfer_store`]: moving a server to another node, and the transfer rows.

pub mod activity;
pub mod allocation;
pub mod backup;
pub mod console;
pub mod egg;
pub mod file;
pub mod file_path;
pub mod node;
pub mod node_config;
pub mod node_ips;
pub mod node_push;
pub mod node_tunnel;
pub mod permission;
pub mod remote;
pub mod server;
pub mod server_action;
pub mod server_create;
pub mod server_logs;
pub mod settings;
pub mod shared;
pub mod subuser;
pub mod subuser_invitation;
pub mod transfer;
pub mod transfer_store;
pub mod utilization;
pub mod wings;

use crate::{
    auth::{Access, Action, Resource, ServerNeed},
    route::Route,
};

/// Nodes, allocations, servers and subusers; then the remote API.
pub fn routes() -> Vec<Route> {
    use Access::{Org, Server, SignedIn};
    use Action::{Read, Write};
    let nodes = |action| Org(Resource::Nodes, action);
    let servers = |action| Org(Resource::GameServers, action);
    let perm = |p| Server(ServerNeed::Permission(p));
    let mut routes = vec![
        Route::get("/api/orgs/{org}/nodes", nodes(Read), node::list),
        Route::post("/api/orgs/{org}/nodes", nodes(Write), node::create),
        Route::get("/api/orgs/{org}/nodes/{node}", nodes(Read), node::show),
        Route::patch("/api/orgs/{org}/nodes/{node}", nodes(Write), node::update),
        Route::delete("/api/orgs/{org}/nodes/{node}", nodes(Write), node::remove),
        // Holds the node's token: for those who manage nodes only.
        Route::get(
            "/api/orgs/{org}/nodes/{node}/configuration",
            nodes(Write),
            node_config::show,
        ),
        Route::post(
            "/api/orgs/{org}/nodes/{node}/token",
            nodes(Write),
            node::rotate_token,
        ),
        Route::get(
            "/api/orgs/{org}/nodes/{node}/system",
            nodes(Read),
            node::system,
        ),
        Route::get(
            "/api/orgs/{org}/nodes/{node}/ips",
            nodes(Read),
            node_ips::list,
        ),
        Route::get(
            "/api/orgs/{org}/nodes/{node}/allocations",
            nodes(Read),
            allocation::list,
        ),
        Route::post(
            "/api/orgs/{org}/nodes/{node}/allocations",
            nodes(Write),
            allocation::create,
        ),
        Route::patch(
            "/api/orgs/{org}/nodes/{node}/allocations/{allocation}",
            nodes(Write),
            allocation::update,
        ),
        Route::delete(
            "/api/orgs/{org}/nodes/{node}/allocations/{allocation}",
            nodes(Write),
            allocation::remove,
        ),
        // `wings configure`: an API key whose owner manages the node's organization's nodes.
        Route::get(
            "/api/application/nodes/{node}/configuration",
            SignedIn,
            node_config::application,
        ),
        // The servers the caller owns or is a subuser of, in any organization.
        Route::get("/api/me/servers", SignedIn, shared::list),
        Route::get("/api/orgs/{org}/servers", servers(Read), server::list),
        // Live figures for the list: one Wings call per node.
        Route::get(
            "/api/orgs/{org}/servers/utilization",
            servers(Read),
            utilization::list,
        ),
        Route::post(
            "/api/orgs/{org}/servers",
            servers(Write),
            server_create::create,
        ),
        Route::get(
            "/api/orgs/{org}/servers/{server}",
            Server(ServerNeed::Look),
            server::show,
        ),
        Route::patch(
            "/api/orgs/{org}/servers/{server}",
            Server(ServerNeed::AnyOf(&[
                "settings.rename",
                "settings.description",
            ])),
            server_action::update,
        ),
        Route::delete(
            "/api/orgs/{org}/servers/{server}",
            Server(ServerNeed::Org(Write)),
            server::remove,
        ),
        Route::post(
            "/api/orgs/{org}/servers/{server}/suspend",
            Server(ServerNeed::Org(Write)),
            server_action::suspend,
        ),
        Route::post(
            "/api/orgs/{org}/servers/{server}/unsuspend",
            Server(ServerNeed::Org(Write)),
            server_action::unsuspend,
        ),
        Route::post(
            "/api/orgs/{org}/servers/{server}/reinstall",
            perm("settings.reinstall"),
            server_action::reinstall,
        ),
        Route::put(
            "/api/orgs/{org}/servers/{server}/build",
            Server(ServerNeed::Org(Write)),
            server_action::build,
        ),
        Route::put(
            "/api/orgs/{org}/servers/{server}/startup",
            Server(ServerNeed::AnyOf(&[
                "startup.update",
                "startup.docker-image",
            ])),
            server_action::startup,
        ),
        Route::post(
            "/api/orgs/{org}/servers/{server}/power",
            Server(ServerNeed::AnyOf(&[
                "control.start",
                "control.stop",
                "control.restart",
            ])),
            server_action::power,
        ),
        Route::post(
            "/api/orgs/{org}/servers/{server}/command",
            perm("control.console"),
            server_action::command,
        ),
        Route::get(
            "/api/orgs/{org}/servers/{server}/resources",
            perm("websocket.connect"),
            server_action::resources,
        ),
        Route::get(
            "/api/orgs/{org}/servers/{server}/websocket",
            perm("websocket.connect"),
            server_action::websocket,
        ),
        Route::get(
            "/api/orgs/{org}/servers/{server}/logs",
            perm("websocket.connect"),
            server_logs::logs,
        ),
        Route::get(
            "/api/orgs/{org}/servers/{server}/install-logs",
            perm("admin.websocket.install"),
            server_logs::install_logs,
        ),
        // console relay (issue 14)
        Route::get(
            "/api/orgs/{org}/servers/{server}/console",
            perm("websocket.connect"),
            console::connect,
        ),
        Route::get(
            "/api/orgs/{org}/servers/{server}/subusers",
            perm("user.read"),
            subuser::list,
        ),
        Route::post(
            "/api/orgs/{org}/servers/{server}/subusers",
            perm("user.create"),
            subuser::create,
        ),
        Route::patch(
            "/api/orgs/{org}/servers/{server}/subusers/{user}",
            perm("user.update"),
            subuser::update,
        ),
        Route::delete(
            "/api/orgs/{org}/servers/{server}/subusers/{user}",
            perm("user.delete"),
            subuser::remove,
        ),
    ];
    // Files (issue 14).
    routes.extend(file_routes());
    // Backups (issue 14 item 3).
    routes.extend(backup::routes());
    // Transfers between nodes (issue 13).
    routes.extend(transfer::routes());
    // Wings behind NAT (issue 17 item 2).
    routes.extend(node_tunnel::routes());
    routes.extend(remote::routes());
    routes
}

/// A server's files (issue 14 item 2), with Pelican's `file.*` permissions,
/// and its activity log (item 4).
fn file_routes() -> Vec<Route> {
    use Access::Server;
    let perm = |p| Server(ServerNeed::Permission(p));
    macro_rules! at {
        ($tail:literal) => {
            concat!("/api/orgs/{org}/servers/{server}/files/", $tail)
        };
    }
    vec![
        Route::get(at!("list"), perm("file.read"), file::list),
        Route::get(at!("search"), perm("file.read"), file::search),
        Route::get(at!("contents"), perm("file.read-content"), file::contents),
        Route::put(at!("contents"), perm("file.update"), file::write),
        Route::get(at!("download"), perm("file.read-content"), file::download),
        Route::get(at!("upload"), perm("file.create"), file::upload),
        Route::put(at!("rename"), perm("file.update"), file::rename),
        Route::post(at!("copy"), perm("file.create"), file::copy),
        Route::post(at!("delete"), perm("file.delete"), file::delete),
        Route::post(
            at!("create-folder"),
            perm("file.create"),
            file::create_folder,
        ),
        Route::post(at!("compress"), perm("file.archive"), file::compress),
        Route::post(at!("decompress"), perm("file.archive"), file::decompress),
        Route::post(at!("chmod"), perm("file.update"), file::chmod),
        Route::post(at!("pull"), perm("file.create"), file::pull),
        Route::get(
            "/api/orgs/{org}/servers/{server}/activity",
            perm("activity.read"),
            activity::list,
        ),
    ]
}
