#![allow(clippy::unwrap_used)]

use super::*;

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

#[test]
fn only_the_owner_may_use_a_channel() {
    let mut owners = ChannelOwners::default();
    owners.record(7, addr(1));
    assert!(owners.may_use(7, addr(1)));
    assert!(!owners.may_use(7, addr(2)));
    assert!(!owners.may_use(8, addr(1)), "a channel nobody was given");
    assert!(owners.may_use(BROADCAST_CID, addr(2)));
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
