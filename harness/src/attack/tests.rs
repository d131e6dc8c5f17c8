use std::collections::BTreeSet;

use super::*;

#[test]
fn case_ids_are_unique_and_name_their_group() {
    let cases = cases::all();
    let ids: BTreeSet<&str> = cases.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), cases.len(), "duplicate case ids");
    for case in &cases {
        assert!(
            case.id.starts_with(&format!("{}.", case.group.name())),
            "{} is not in {:?}",
            case.id,
            case.group
        );
        assert!(
            !case.spec.is_empty() && !case.attack.is_empty(),
            "{} lacks its spec step or description",
            case.id
        );
    }
}

#[test]
fn the_filter_keeps_cases_whose_id_contains_a_term() {
    let kept = select(Some("client.top_origin, client.cross_origin"));
    let ids: Vec<&str> = kept.iter().map(|c| c.id).collect();
    assert_eq!(ids, ["client.cross_origin", "client.top_origin"]);
    assert_eq!(select(None).len(), cases::all().len());
    assert!(select(Some("no-such-case")).is_empty());
}

#[test]
fn the_printed_configuration_registers_every_attack_client() {
    let config = clients::attack_provider_config("http://localhost:9").unwrap();
    let ids: Vec<&str> =
        config["clients"].as_array().unwrap().iter().filter_map(|c| c["client_id"].as_str()).collect();
    assert_eq!(ids, [crate::idp::MATRIX_CLIENT_ID, clients::OTHER_CLIENT_ID, clients::JWT_CLIENT_ID]);
    softfido_rp::oidc::clients::ProviderConfig::from_json(&config.to_string()).unwrap();
}
