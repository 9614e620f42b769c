//! Organizations: ids and slugs name one organization each, whatever a name,
//! a rename or old data says.

use crate::common;

use axum::http::StatusCode;
use common::{add_member, add_user, api, platform, send, setup_owner, sign_in_as};
use edge_api::{
    Platform,
    platform::{
        db::{Database, DatabaseExt, Statement},
        native::Sqlite,
    },
    validate,
};
use serde_json::{Value, json};

/// Ada's cookie and her organization's id ("Ada Lab", slug `ada-lab`).
async fn ada(platform: &Platform) -> (String, String) {
    let (cookie, me) = setup_owner(platform).await;
    let org_id = me["memberships"][0]["org_id"]
        .as_str()
        .expect("org id")
        .to_owned();
    (cookie, org_id)
}

async fn get_org(platform: &Platform, cookie: &str, org: &str) -> common::Reply {
    send(
        platform,
        api("GET", &format!("/api/orgs/{org}"), Some(cookie), None),
    )
    .await
}

#[tokio::test]
async fn an_organization_named_like_another_ones_id_does_not_get_it_as_slug() {
    let (platform, _) = platform();
    let (ada_cookie, lab_id) = ada(&platform).await;
    // Mallory is in Ada Lab, and names organizations after its id.
    let mallory_id = add_user(&platform, "Mallory", "mallory@example.com").await;
    add_member(&platform, &lab_id, &mallory_id, "viewer").await;
    let mallory = sign_in_as(&platform, &mallory_id).await;
    let mut squats = Vec::new();
    for name in [
        lab_id.clone(),
        lab_id.to_uppercase(),
        lab_id.replace('-', ""),
        format!(" {lab_id} "),
    ] {
        let made = send(
            &platform,
            api(
                "POST",
                "/api/orgs",
                Some(&mallory),
                Some(json!({ "name": name })),
            ),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.json);
        let slug = made.json["slug"].as_str().expect("slug").to_owned();
        assert_eq!(validate::as_id(&slug), None, "{name:?} gave slug {slug}");
        assert!(slug.starts_with("org-"), "{slug}");
        squats.push(made.json["id"].as_str().expect("id").to_owned());
    }

    // Ada is in all of them, and her organization's id still means hers.
    let ada_id = user_id(&platform, "ada@example.com").await;
    for squat in &squats {
        add_member(&platform, squat, &ada_id, "viewer").await;
    }
    for path in [
        lab_id.clone(),
        lab_id.to_uppercase(),
        lab_id.replace('-', ""),
    ] {
        let shown = get_org(&platform, &ada_cookie, &path).await;
        assert_eq!(shown.status, StatusCode::OK, "{path}: {}", shown.json);
        assert_eq!(
            (shown.json["id"].as_str(), shown.json["slug"].as_str()),
            (Some(lab_id.as_str()), Some("ada-lab")),
            "{path}"
        );
    }
}

/// The id of the user with `email`.
async fn user_id(platform: &Platform, email: &str) -> String {
    let row: Value = platform
        .db
        .first(Statement::new("SELECT id FROM users WHERE email = ?1").bind(email))
        .await
        .expect("query")
        .expect("user");
    row["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn an_id_shaped_org_in_the_path_is_only_ever_an_id() {
    // Data from before the fix: an organization whose slug is Ada Lab's id.
    let (platform, _) = platform();
    let (ada_cookie, lab_id) = ada(&platform).await;
    let ada_id = user_id(&platform, "ada@example.com").await;
    let squat_id = edge_api::crypto::uuid().expect("uuid");
    platform
        .db
        .run(
            Statement::new(
                "INSERT INTO organizations (id, slug, name, created_at) \
                 VALUES (?1, ?2, 'Squat', '2026-11-22T10:00:00.000Z')",
            )
            .bind(squat_id.as_str())
            .bind(lab_id.as_str()),
        )
        .await
        .expect("squat inserted");
    add_member(&platform, &squat_id, &ada_id, "owner").await;

    let shown = get_org(&platform, &ada_cookie, &lab_id).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.json);
    assert_eq!(shown.json["name"], "Ada Lab");
    let renamed = send(
        &platform,
        api(
            "PATCH",
            &format!("/api/orgs/{lab_id}"),
            Some(&ada_cookie),
            Some(json!({ "name": "Ada Lab 2" })),
        ),
    )
    .await;
    assert_eq!(renamed.json["id"], lab_id.as_str(), "{}", renamed.json);
    let squat: Value = platform
        .db
        .first(
            Statement::new("SELECT name FROM organizations WHERE id = ?1").bind(squat_id.as_str()),
        )
        .await
        .expect("query")
        .expect("row");
    assert_eq!(squat["name"], "Squat", "the squatter was not touched");
    // The squatter is reached by its own id only.
    let own = get_org(&platform, &ada_cookie, &squat_id).await;
    assert_eq!(own.json["name"], "Squat");
}

#[tokio::test]
async fn renaming_keeps_the_slug_and_cannot_set_one() {
    let (platform, _) = platform();
    let (cookie, lab_id) = ada(&platform).await;
    let other = edge_api::crypto::uuid().expect("uuid");
    let renamed = send(
        &platform,
        api(
            "PATCH",
            "/api/orgs/ada-lab",
            Some(&cookie),
            Some(json!({ "name": other })),
        ),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.json);
    assert_eq!(renamed.json["slug"], "ada-lab");
    let with_slug = send(
        &platform,
        api(
            "PATCH",
            &format!("/api/orgs/{lab_id}"),
            Some(&cookie),
            Some(json!({ "name": "Lab", "slug": other })),
        ),
    )
    .await;
    assert_eq!(
        with_slug.status,
        StatusCode::BAD_REQUEST,
        "{}",
        with_slug.json
    );
    let created = send(
        &platform,
        api(
            "POST",
            "/api/orgs",
            Some(&cookie),
            Some(json!({ "name": "Lab", "slug": other })),
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::BAD_REQUEST, "{}", created.json);
}

#[tokio::test]
async fn the_migration_renames_id_shaped_slugs_made_before() {
    let path = std::env::temp_dir().join(format!(
        "flamingo-org-slugs-{}.sqlite3",
        edge_api::crypto::uuid().expect("uuid")
    ));
    let dashed = "0b5e6a3c-1d2f-4a5b-8c9d-0e1f2a3b4c5d";
    let plain = "0B5E6A3C1D2F4A5B8C9D0E1F2A3B4C5D";
    {
        let db = Sqlite::open(&path).expect("opens");
        for (id, slug) in [
            ("o1", dashed),
            ("o2", plain),
            ("o3", "ada-lab"),
            ("o4", "cafe"),
        ] {
            db.run(
                Statement::new(
                    "INSERT INTO organizations (id, slug, name, created_at) VALUES (?1, ?2, ?1, 'now')",
                )
                .bind(id)
                .bind(slug),
            )
            .await
            .expect("inserted");
        }
        // As if these had been made before the migration ran.
        db.run(Statement::new(
            "DELETE FROM d1_migrations WHERE name = '0006_org_slugs_not_ids.sql'",
        ))
        .await
        .expect("forgotten");
    }
    let db = Sqlite::open(&path).expect("migrates again");
    let slugs: Vec<Value> = db
        .all(Statement::new(
            "SELECT id, slug FROM organizations ORDER BY id",
        ))
        .await
        .expect("slugs");
    let _ = std::fs::remove_file(&path);
    let slug = |i: usize| slugs[i]["slug"].as_str().expect("slug").to_owned();
    for renamed in [slug(0), slug(1)] {
        assert!(
            renamed.starts_with("org-") && renamed.len() == 16,
            "{renamed}"
        );
        assert_eq!(validate::as_id(&renamed), None);
    }
    assert_ne!(slug(0), slug(1));
    assert_eq!((slug(2).as_str(), slug(3).as_str()), ("ada-lab", "cafe"));
}
