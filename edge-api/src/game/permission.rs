//! The subuser permission strings Wings and Pelican know (contract
//! section 7), and the check a subuser's list passes before it is stored.

/// Every permission a subuser may hold.
pub const ALL: &[&str] = &[
    "websocket.connect",
    "control.console",
    "control.start",
    "control.stop",
    "control.restart",
    "file.read",
    "file.read-content",
    "file.create",
    "file.update",
    "file.delete",
    "file.archive",
    "file.sftp",
    "backup.read",
    "backup.create",
    "backup.delete",
    "backup.download",
    "backup.restore",
    "schedule.read",
    "schedule.create",
    "schedule.update",
    "schedule.delete",
    "user.read",
    "user.create",
    "user.update",
    "user.delete",
    "database.read",
    "database.create",
    "database.update",
    "database.delete",
    "database.view-password",
    "allocation.read",
    "allocation.create",
    "allocation.update",
    "allocation.delete",
    "activity.read",
    "mount.read",
    "mount.update",
    "startup.read",
    "startup.update",
    "startup.docker-image",
    "settings.rename",
    "settings.description",
    "settings.reinstall",
];

/// The SFTP permission Wings does not check itself.
pub const SFTP: &str = "file.sftp";

/// A subuser's permissions, sorted and without repeats, or what is wrong.
pub fn check(permissions: &[String]) -> Result<Vec<String>, String> {
    if permissions.is_empty() {
        return Err("must list at least one permission".into());
    }
    let mut out: Vec<String> = Vec::with_capacity(permissions.len());
    for p in permissions {
        if !ALL.contains(&p.as_str()) {
            let shown: String = p.chars().take(60).collect();
            return Err(format!(
                "{shown:?} is not a permission (e.g. control.console, file.sftp)"
            ));
        }
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    out.sort();
    Ok(out)
}

/// The permissions Wings should see for a holder of `grants` on a server:
/// `*` stays `*`, the rest as listed.
pub fn for_wings(grants: &[String]) -> Vec<String> {
    if grants.iter().any(|g| g == "*") {
        vec!["*".to_owned()]
    } else {
        grants.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_permissions_pass() {
        let ok = check(&[
            "file.sftp".into(),
            "control.console".into(),
            "file.sftp".into(),
        ]);
        assert_eq!(
            ok,
            Ok(vec!["control.console".to_owned(), "file.sftp".to_owned()])
        );
        assert!(check(&["*".into()]).is_err());
        assert!(check(&["admin.websocket.errors".into()]).is_err());
        assert!(check(&[]).is_err());
    }
}
