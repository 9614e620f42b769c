//! Who may do what: roles, resources, the permission matrix, and the one
//! function that decides. Every route declares an [`Access`]; the guard
//! ([`super::guard()`]) calls [`decide`] and nothing else grants access.

use serde::{Deserialize, Serialize};

/// A member's role in one organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Created the organization; an admin who cannot be removed or demoted by others.
    Owner,
    /// Manages everything.
    Admin,
    /// Runs things: tunnels, routes, firewall, game servers.
    Operator,
    /// Looks.
    Viewer,
}

impl Role {
    /// Every role, strongest first.
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Operator, Role::Viewer];

    /// The role's name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a stored role name.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// What a permission is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    /// VPS fleet.
    Vps,
    /// Tunnels, L4 routes and firewall rules.
    Tunnels,
    /// Game servers.
    GameServers,
    /// Wings nodes and eggs.
    Nodes,
    /// Members and invitations.
    Members,
    /// Organization settings.
    Settings,
    /// The audit log (read only, for everyone).
    Audit,
}

impl Resource {
    /// Every resource.
    pub const ALL: [Resource; 7] = [
        Resource::Vps,
        Resource::Tunnels,
        Resource::GameServers,
        Resource::Nodes,
        Resource::Members,
        Resource::Settings,
        Resource::Audit,
    ];
}

/// Reading or changing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Look.
    Read,
    /// Create, change, delete, run.
    Write,
}

/// The permission matrix (admin / operator / viewer):
/// vps all/read/read; tunnels, routes, firewall all/all/read; game servers
/// all/all/read; nodes and eggs all/read/read; members and invitations
/// all/read/read; settings all/read/read; audit log read/read/read.
pub fn allows(role: Role, resource: Resource, action: Action) -> bool {
    match (action, resource) {
        (Action::Read, _) => true,
        (Action::Write, Resource::Audit) => false,
        (Action::Write, Resource::Tunnels | Resource::GameServers) => role != Role::Viewer,
        (
            Action::Write,
            Resource::Vps | Resource::Nodes | Resource::Members | Resource::Settings,
        ) => {
            matches!(role, Role::Owner | Role::Admin)
        }
    }
}

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user, by session or API key.
    SignedIn,
    /// A signed-in user with a browser session (not an API key): account
    /// security (password, 2FA, sessions, API keys).
    Session,
    /// A member of the `{org}` in the path whose role allows this.
    Org(Resource, Action),
    /// A Wings node (`/api/remote/*`): no user; its `Authorization: Bearer
    /// {token_id}.{token}` is checked by the handler (`game::remote`), so
    /// the guard reads no credential at all.
    Node,
    /// The game server `{server}` of the `{org}` in the path: members by
    /// their role on [`Resource::GameServers`], its owner and subusers by
    /// their Pelican permissions (contract section 7).
    Server(ServerNeed),
}

/// What a server route asks of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerNeed {
    /// This Pelican permission (subusers), or the role to read (for the
    /// read-only permissions, see [`reads_only`]) or change game servers (members).
    Permission(&'static str),
    /// Any one of these permissions; the handler then asks [`decide_for`]
    /// about the exact one (power: start, stop or restart).
    AnyOf(&'static [&'static str]),
    /// Anyone with a standing on the server: members (who may read game
    /// servers), its owner and every subuser (the server's own page).
    Look,
    /// Members whose role allows this; never subusers (limits, suspension,
    /// deletion, subusers themselves are the organization's business).
    Org(Action),
}

/// Whether a permission only looks (members who may read game servers hold it).
pub fn reads_only(permission: &str) -> bool {
    permission.ends_with(".read") || permission == "websocket.connect"
}

/// Whether `grants` (a subuser's permissions; `*` is every one but `admin.*`)
/// include `permission`.
pub fn grants_include(grants: &[String], permission: &str) -> bool {
    grants
        .iter()
        .any(|g| g == permission || (g == "*" && !permission.starts_with("admin.")))
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// Nobody signed in.
    Anonymous,
    /// A browser session cookie.
    Session,
    /// An API key.
    ApiKey,
}

/// The guard's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// 401: sign in first.
    SignIn,
    /// 403: signed in, but not allowed.
    Deny,
    /// 404: the organization does not exist for this caller.
    Hide,
}

/// The one authorization decision. `role` is the caller's role in the
/// path's organization, when the route has one and the caller is a member.
pub fn decide(access: Access, credential: Credential, role: Option<Role>) -> Decision {
    decide_for(access, credential, role, None)
}

/// [`decide`] for a route that may name a game server: `grants` are the
/// caller's permissions on that server (a subuser's list, `["*"]` for its
/// owner), `None` when they have none.
pub fn decide_for(
    access: Access,
    credential: Credential,
    role: Option<Role>,
    grants: Option<&[String]>,
) -> Decision {
    match (access, credential) {
        (Access::Server(_), Credential::Anonymous) => Decision::SignIn,
        (Access::Server(need), _) => {
            let (action, wanted): (Action, &[&str]) = match &need {
                ServerNeed::Permission(p) => {
                    let action = if reads_only(p) {
                        Action::Read
                    } else {
                        Action::Write
                    };
                    (action, std::slice::from_ref(p))
                }
                ServerNeed::AnyOf(list) => (Action::Write, list),
                ServerNeed::Look => (Action::Read, &[]),
                ServerNeed::Org(action) => (*action, &[]),
            };
            let by_role = role.is_some_and(|r| allows(r, Resource::GameServers, action));
            let by_grant = grants.is_some_and(|g| {
                need == ServerNeed::Look || wanted.iter().any(|p| grants_include(g, p))
            });
            if by_role || by_grant {
                Decision::Allow
            } else if role.is_some() || grants.is_some() {
                Decision::Deny
            } else {
                Decision::Hide
            }
        }
        _ => decide_plain(access, credential, role),
    }
}

fn decide_plain(access: Access, credential: Credential, role: Option<Role>) -> Decision {
    match (access, credential) {
        (Access::Public | Access::Node, _) => Decision::Allow,
        (_, Credential::Anonymous) => Decision::SignIn,
        (Access::SignedIn, _) => Decision::Allow,
        (Access::Session, Credential::Session) => Decision::Allow,
        (Access::Session, _) => Decision::Deny,
        (Access::Org(resource, action), _) => match role {
            None => Decision::Hide,
            Some(role) if allows(role, resource, action) => Decision::Allow,
            Some(_) => Decision::Deny,
        },
        // Handled by `decide_for`.
        (Access::Server(_), _) => Decision::Hide,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Resource::*;

    #[test]
    fn matrix_matches_the_specification() {
        // (resource, admin, operator, viewer) may write; everyone reads.
        let writes = [
            (Vps, true, false, false),
            (Tunnels, true, true, false),
            (GameServers, true, true, false),
            (Nodes, true, false, false),
            (Members, true, false, false),
            (Settings, true, false, false),
            (Audit, false, false, false),
        ];
        for (resource, admin, operator, viewer) in writes {
            assert_eq!(
                allows(Role::Owner, resource, Write),
                admin,
                "owner {resource:?}"
            );
            assert_eq!(
                allows(Role::Admin, resource, Write),
                admin,
                "admin {resource:?}"
            );
            assert_eq!(
                allows(Role::Operator, resource, Write),
                operator,
                "operator {resource:?}"
            );
            assert_eq!(
                allows(Role::Viewer, resource, Write),
                viewer,
                "viewer {resource:?}"
            );
            for role in Role::ALL {
                assert!(allows(role, resource, Read), "{role:?} reads {resource:?}");
            }
        }
    }

    #[test]
    fn decisions() {
        let org_write = Access::Org(Members, Write);
        assert_eq!(
            decide(Access::Public, Credential::Anonymous, None),
            Decision::Allow
        );
        assert_eq!(
            decide(Access::SignedIn, Credential::Anonymous, None),
            Decision::SignIn
        );
        assert_eq!(
            decide(Access::SignedIn, Credential::ApiKey, None),
            Decision::Allow
        );
        assert_eq!(
            decide(Access::Session, Credential::ApiKey, None),
            Decision::Deny
        );
        assert_eq!(
            decide(Access::Session, Credential::Session, None),
            Decision::Allow
        );
        assert_eq!(
            decide(org_write, Credential::Anonymous, None),
            Decision::SignIn
        );
        assert_eq!(decide(org_write, Credential::Session, None), Decision::Hide);
        assert_eq!(
            decide(org_write, Credential::Session, Some(Role::Viewer)),
            Decision::Deny
        );
        assert_eq!(
            decide(org_write, Credential::ApiKey, Some(Role::Admin)),
            Decision::Allow
        );
    }

    #[test]
    fn roles_round_trip_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
