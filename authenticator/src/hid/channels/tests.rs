//! CTAP 2.1 §11.2.3 and §11.2.9.1.3: channel allocation, validity, eviction, power cycles.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::super::{CAPABILITY_CBOR, CAPABILITY_NMSG, CAPABILITY_WINK, DeviceVersion, RESERVED_CID};
use crate::hid::test_support::*;

#[test]
fn init_on_the_broadcast_channel_allocates_a_channel() {
    let config =
        HidConfig { version: DeviceVersion { major: 3, minor: 4, build: 5 }, ..HidConfig::default() };
    let mut bench = Bench::with(config);
    let reply = answer(&bench.request(BROADCAST_CID, INIT, &NONCE));
    assert_eq!((reply.cid, reply.cmd), (BROADCAST_CID, INIT));
    assert_eq!(reply.payload.len(), 17);
    assert_eq!(&reply.payload[..8], &NONCE, "the nonce is echoed");
    let cid = u32::from_be_bytes(reply.payload[8..12].try_into().unwrap());
    assert_ne!(cid, RESERVED_CID);
    assert_ne!(cid, BROADCAST_CID);
    assert_eq!(&reply.payload[12..16], &[2, 3, 4, 5], "protocol version 2, then the device version");
    assert_eq!(reply.payload[16], CAPABILITY_WINK | CAPABILITY_CBOR | CAPABILITY_NMSG);
    assert!(bench.answers_ping(cid));
}

#[test]
fn a_device_with_ctap1_does_not_advertise_nmsg() {
    let mut bench = Bench::with(HidConfig { supports_msg: true, ..HidConfig::default() });
    let reply = answer(&bench.request(BROADCAST_CID, INIT, &NONCE));
    assert_eq!(reply.payload[16], CAPABILITY_WINK | CAPABILITY_CBOR);
}

#[test]
fn a_u2f_only_device_does_not_advertise_cbor() {
    let config = HidConfig { supports_msg: true, supports_cbor: false, ..HidConfig::default() };
    let mut bench = Bench::with(config);
    let reply = answer(&bench.request(BROADCAST_CID, INIT, &NONCE));
    assert_eq!(reply.payload[16], CAPABILITY_WINK);
}

#[test]
fn every_allocation_is_a_new_channel() {
    let mut bench = Bench::new();
    let cids: Vec<u32> = (0..10).map(|_| bench.open()).collect();
    let mut unique = cids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), cids.len(), "{cids:?}");
}

#[test]
fn init_needs_an_eight_byte_nonce() {
    let mut bench = Bench::new();
    for len in [0, 7, 9, 17] {
        assert_error(&bench.request(BROADCAST_CID, INIT, &vec![1; len]), BROADCAST_CID, ERR_INVALID_LEN);
    }
    // A long INIT is refused at its first packet; its continuation packets are then ignored.
    assert_error(
        &bench.feed(init_packet(BROADCAST_CID, INIT, 100, &[1; 57])),
        BROADCAST_CID,
        ERR_INVALID_LEN,
    );
    assert!(bench.feed(cont_packet(BROADCAST_CID, 0, &[1; 43])).is_empty());
    assert_eq!(bench.hid.channel_count(), 0);
}

#[test]
fn init_on_an_allocated_channel_keeps_it() {
    let mut bench = Bench::new();
    let cid = bench.open();
    let reply = answer(&bench.request(cid, INIT, &NONCE));
    assert_eq!((reply.cid, reply.cmd), (cid, INIT));
    assert_eq!(&reply.payload[8..12], &cid.to_be_bytes());
    assert_eq!(bench.hid.channel_count(), 1);
}

#[test]
fn only_init_may_use_the_broadcast_channel() {
    let mut bench = Bench::new();
    for cmd in [PING, CBOR, MSG, WINK, LOCK, 0x55] {
        assert_error(&bench.request(BROADCAST_CID, cmd, &[1]), BROADCAST_CID, ERR_INVALID_CHANNEL);
    }
}

#[test]
fn channel_zero_is_never_valid() {
    let mut bench = Bench::new();
    for cmd in [INIT, PING, CBOR, WINK] {
        let payload = if cmd == INIT { NONCE.to_vec() } else { vec![1] };
        assert_error(&bench.request(RESERVED_CID, cmd, &payload), RESERVED_CID, ERR_INVALID_CHANNEL);
    }
}

#[test]
fn a_channel_never_allocated_is_invalid() {
    let mut bench = Bench::new();
    let cid = bench.open();
    for stranger in [0x1234_5678, cid + 1, 0xffff_fffe] {
        assert_error(&bench.ping(stranger), stranger, ERR_INVALID_CHANNEL);
    }
}

/// CTAP 2.1 §11.2.9.1.3: an INIT on a channel the device did not allocate is answered like one
/// on the broadcast channel, on the channel it came on, with a fresh random CID (never the one
/// the client made up, which stays invalid).
#[test]
fn init_on_a_channel_never_allocated_allocates_a_fresh_one() {
    let mut bench = Bench::new();
    let cid = bench.open();
    for stranger in [0x1234_5678, cid.wrapping_add(1), 0xffff_fffe] {
        let reply = answer(&bench.request(stranger, INIT, &NONCE));
        assert_eq!((reply.cid, reply.cmd, &reply.payload[..8]), (stranger, INIT, &NONCE[..]));
        let given = u32::from_be_bytes(reply.payload[8..12].try_into().unwrap());
        assert!(given != stranger && given != RESERVED_CID && given != BROADCAST_CID);
        assert!(bench.answers_ping(given));
        assert_error(&bench.ping(stranger), stranger, ERR_INVALID_CHANNEL);
    }
    assert!(bench.answers_ping(cid));
    assert_eq!(bench.hid.channel_count(), 4);
}

#[test]
fn allocation_beyond_the_limit_forgets_the_least_recently_used_channel() {
    let mut bench = Bench::with(HidConfig { max_channels: 3, ..HidConfig::default() });
    let [a, b, c] = [bench.open(), bench.open(), bench.open()];
    assert!(bench.answers_ping(a), "a is now more recent than b");
    let d = bench.open();
    assert_eq!(bench.hid.channel_count(), 3);
    assert_error(&bench.ping(b), b, ERR_INVALID_CHANNEL);
    for live in [a, c, d] {
        assert!(bench.answers_ping(live), "{live:#x}");
    }
}

#[test]
fn channel_allocation_stays_bounded_under_a_flood() {
    let mut bench = Bench::new();
    for _ in 0..5000 {
        bench.open();
    }
    assert_eq!(bench.hid.channel_count(), 16);
}

#[test]
fn a_busy_channel_is_not_evicted() {
    let mut bench = Bench::with(HidConfig { max_channels: 2, ..HidConfig::default() });
    let [a, b] = [bench.open(), bench.open()];
    let (request, _, _) = dispatched(&bench.request(a, CBOR, &[4]));
    assert_error(&bench.ping(b), b, ERR_CHANNEL_BUSY);
    // a is now the least recently used channel, but it waits for its answer: b goes instead.
    let c = bench.open();
    assert_error(&bench.ping(b), b, ERR_INVALID_CHANNEL);
    assert_eq!(decode(&bench.hid.complete(request, &[0])).cid, a);
    assert!(bench.answers_ping(a));
    assert!(bench.answers_ping(c));
}

#[test]
fn allocation_fails_busy_when_every_channel_is_in_use() {
    let mut bench = Bench::with(HidConfig { max_channels: 1, ..HidConfig::default() });
    let a = bench.open();
    dispatched(&bench.request(a, CBOR, &[4]));
    assert_error(&bench.request(BROADCAST_CID, INIT, &NONCE), BROADCAST_CID, ERR_CHANNEL_BUSY);
}

#[test]
fn a_power_cycle_empties_the_table_but_adopts_issued_channels() {
    let mut bench = Bench::new();
    let [a, b] = [bench.open(), bench.open()];
    bench.hid.power_cycle();
    assert_eq!(bench.hid.channel_count(), 0);
    assert!(bench.answers_ping(b), "a client keeps its CID across the power cycle");
    assert_eq!(bench.hid.channel_count(), 1);
    assert!(bench.answers_ping(a));
    assert_eq!(bench.hid.channel_count(), 2);
}

#[test]
fn a_power_cycle_does_not_adopt_channels_never_issued() {
    let mut bench = Bench::new();
    let a = bench.open();
    bench.hid.power_cycle();
    assert_error(&bench.ping(a + 1), a + 1, ERR_INVALID_CHANNEL);
    assert_error(&bench.ping(0x7777_7777), 0x7777_7777, ERR_INVALID_CHANNEL);
    let fresh = bench.open();
    assert_ne!(fresh, a, "allocation goes on where it stopped");
    assert!(bench.answers_ping(a));
}

#[test]
fn issued_channels_survive_repeated_power_cycles() {
    let mut bench = Bench::new();
    let a = bench.open();
    bench.hid.power_cycle();
    bench.hid.power_cycle();
    assert!(bench.answers_ping(a));
}

#[test]
fn channel_ids_are_allocated_at_random() {
    let mut bench = Bench::new();
    let cids: Vec<u32> = (0..8).map(|_| bench.open()).collect();
    let consecutive = cids.windows(2).filter(|pair| pair[1] == pair[0].wrapping_add(1)).count();
    // Random 32-bit CIDs: one consecutive pair in eight allocations has odds of about 2^-29.
    assert_eq!(consecutive, 0, "CTAP 2.1 §11.2.9.1.3: unpredictable CIDs, got {cids:?}");
    assert!(!cids.contains(&RESERVED_CID) && !cids.contains(&BROADCAST_CID));
}

#[test]
fn the_device_knows_live_and_adoptable_channels_only() {
    let mut bench = Bench::with(HidConfig { max_channels: 1, ..HidConfig::default() });
    let a = bench.open();
    assert!(bench.hid.knows(a));
    bench.hid.power_cycle();
    assert!(!bench.hid.is_allocated(a));
    assert!(bench.hid.knows(a), "adoptable after the power cycle");
    let b = bench.open();
    assert!(bench.hid.knows(b));
    assert!(bench.answers_ping(a), "adopted, evicting b");
    assert!(!bench.hid.knows(b), "evicted and never power-cycled: forgotten");
    assert!(!bench.hid.knows(0x7777_7777));
    assert!(!bench.hid.knows(BROADCAST_CID) && !bench.hid.knows(RESERVED_CID));
}

#[test]
fn a_released_channel_is_forgotten_and_frees_its_place() {
    let mut bench = Bench::with(HidConfig { max_channels: 2, ..HidConfig::default() });
    let [a, b] = [bench.open(), bench.open()];
    assert!(bench.hid.is_full());
    assert!(bench.hid.release(b));
    assert!(!bench.hid.is_full());
    assert_error(&bench.ping(b), b, ERR_INVALID_CHANNEL);
    // The next allocation takes the freed place: a, the least recently used, stays.
    let c = bench.open();
    assert!(bench.answers_ping(a));
    assert!(bench.answers_ping(c));
}

#[test]
fn a_channel_awaiting_its_answer_is_not_released() {
    let mut bench = Bench::with(HidConfig { max_channels: 2, ..HidConfig::default() });
    let a = bench.open();
    let (request, _, _) = dispatched(&bench.request(a, CBOR, &[4]));
    assert!(!bench.hid.release(a));
    assert_eq!(decode(&bench.hid.complete(request, &[0])).cid, a);
    assert!(bench.answers_ping(a));
}
