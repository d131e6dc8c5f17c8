use std::collections::HashSet;

use super::*;

#[test]
fn the_product_has_no_duplicates_and_every_value_of_every_axis() {
    let all = all_scenarios();
    let ids: HashSet<String> = all.iter().map(Scenario::id).collect();
    assert_eq!(ids.len(), all.len());
    for (index, axis) in MATRIX_AXIS_NAMES.iter().enumerate() {
        let seen: HashSet<&str> = all.iter().map(|s| s.values()[index].1).collect();
        assert!(seen.len() >= 2, "{axis} takes several values: {seen:?}");
    }
    for &value in Up::ALL.iter().map(|u| u.name()).collect::<Vec<_>>().iter() {
        assert!(all.iter().any(|s| s.values()[0].1 == value));
    }
}

#[test]
fn password_only_collapses_every_authenticator_axis() {
    let password: Vec<_> = all_scenarios()
        .into_iter()
        .filter(|s| {
            s.first_factor == FirstFactor::Password
                && (s.session, s.prompt, s.max_age) == (Session::None, Prompt::Absent, MaxAge::Absent)
        })
        .collect();
    assert_eq!(password.len(), AcrRequest::ALL.len());
    assert!(password.iter().all(|s| s.uv_capability.is_none() && s.rp_uv.is_none() && s.up.is_none()));
}

#[test]
fn invalid_flags_and_impossible_uv_end_at_registration() {
    for s in all_scenarios() {
        if s.backup == Some(Backup::Be0Bs1) {
            assert!(s.up.is_none() && s.acr_request.is_none(), "{}", s.id());
        }
        if s.rp_uv == Some(RpUv::Required) && s.uv_capability == Some(UvCapability::None) {
            assert!(s.up.is_none(), "{}", s.id());
        }
    }
}
