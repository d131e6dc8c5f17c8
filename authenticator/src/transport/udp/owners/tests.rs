#![allow(clippy::unwrap_used)]

use super::*;

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// An initialization packet of `cmd` on `cid`.
fn packet(cid: u32, cmd: HidCommand) -> Report {
    let mut report = [0u8; crate::hid::REPORT_LEN];
    report[..4].copy_from_slice(&cid.to_be_bytes());
    report[4] = cmd.code() | 0x80;
    report
}

#[test]
fn only_the_owner_may_use_a_channel() {
    let mut owners = ChannelOwners::default();
    owners.record(7, addr(1));
    let ping = |cid| packet(cid, HidCommand::Ping);
    assert!(owners.may_use(7, addr(1), &ping(7), true));
    assert!(!owners.may_use(7, addr(2), &ping(7), true));
    assert!(
        !owners.may_use(7, addr(2), &packet(7, HidCommand::Init), true),
        "no resync of another's channel"
    );
    assert!(!owners.may_use(8, addr(1), &ping(8), false), "a channel nobody was given");
    assert!(owners.may_use(8, addr(2), &packet(8, HidCommand::Init), false), "INIT there allocates");
    assert!(owners.may_use(BROADCAST_CID, addr(2), &ping(BROADCAST_CID), false));
    assert!(owners.owns_a_channel(addr(1)));
    assert!(!owners.owns_a_channel(addr(2)));
}

#[test]
fn the_broadcast_sender_owns_no_channel() {
    let mut owners = ChannelOwners::default();
    owners.record(BROADCAST_CID, addr(3));
    assert!(!owners.owns_a_channel(addr(3)));
}

#[test]
fn an_init_answer_names_the_allocated_channel() {
    let mut report = [0u8; crate::hid::REPORT_LEN];
    report[..4].copy_from_slice(&BROADCAST_CID.to_be_bytes());
    report[4..7].copy_from_slice(&[0x86, 0, 17]);
    report[15..19].copy_from_slice(&0x1234_5678u32.to_be_bytes());
    let output = Output::Send { cid: BROADCAST_CID, reports: vec![report] };
    assert_eq!(allocated_cid(&output), Some(0x1234_5678));
    report[4] = 0xbf;
    assert_eq!(allocated_cid(&Output::Send { cid: BROADCAST_CID, reports: vec![report] }), None);
}

#[test]
fn an_init_answer_on_a_made_up_channel_names_the_allocated_one() {
    let mut report = packet(0x0bad_cafe, HidCommand::Init);
    report[5..7].copy_from_slice(&[0, 17]);
    report[15..19].copy_from_slice(&0x1234_5678u32.to_be_bytes());
    assert_eq!(allocated_cid(&Output::Send { cid: 0x0bad_cafe, reports: vec![report] }), Some(0x1234_5678));
    report[15..19].copy_from_slice(&0x0bad_cafeu32.to_be_bytes());
    let resync = Output::Send { cid: 0x0bad_cafe, reports: vec![report] };
    assert_eq!(allocated_cid(&resync), None, "a resynchronisation allocates nothing");
}

#[test]
fn an_init_on_an_ownerless_channel_the_device_knows_is_refused() {
    let owners = ChannelOwners::default();
    let init = packet(9, HidCommand::Init);
    assert!(!owners.may_use(9, addr(5), &init, true), "it would resynchronise or adopt channel 9");
    assert!(!owners.may_use(9, addr(5), &packet(9, HidCommand::Ping), true));
}

#[test]
fn owners_of_channels_the_device_forgot_are_forgotten() {
    let mut owners = ChannelOwners::default();
    owners.record(BROADCAST_CID, addr(6));
    owners.record(10, addr(6));
    owners.record(11, addr(7));
    owners.retain_known(|cid| cid == 11);
    assert_eq!(owners.owner(10), None);
    assert_eq!(owners.owner(11), Some(addr(7)));
    assert_eq!(owners.owner(BROADCAST_CID), Some(addr(6)), "the broadcast entry stays");
}
