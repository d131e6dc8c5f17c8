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
    assert!(owners.may_use(7, addr(1), &ping(7)));
    assert!(!owners.may_use(7, addr(2), &ping(7)));
    assert!(!owners.may_use(7, addr(2), &packet(7, HidCommand::Init)), "no resync of another's channel");
    assert!(!owners.may_use(8, addr(1), &ping(8)), "a channel nobody was given");
    assert!(owners.may_use(8, addr(2), &packet(8, HidCommand::Init)), "INIT there allocates");
    assert!(owners.may_use(BROADCAST_CID, addr(2), &ping(BROADCAST_CID)));
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
    let mut owners = ChannelOwners::default();
    owners.record(0x0bad_cafe, addr(4));
    owners.forget(0x0bad_cafe);
    assert_eq!(owners.owner(0x0bad_cafe), None);
}
