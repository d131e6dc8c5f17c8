//! The UDP server in process, driven by a UDP client socket, with a scripted device.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::AtomicUsize;
use std::thread::JoinHandle;

use super::*;

const PING: u8 = 0x01;
const INIT: u8 = 0x06;
const CBOR: u8 = 0x10;
const CANCEL: u8 = 0x11;
const KEEPALIVE: u8 = 0x3b;
const ERROR: u8 = 0x3f;
const BROADCAST: u32 = 0xffff_ffff;

/// First byte of a request that waits for the user for `request[1] * 10` ms.
const WAIT_FOR_USER: u8 = 0x40;
const CTAP2_ERR_KEEPALIVE_CANCEL: u8 = 0x2d;

/// Echoes requests after a CTAP2_OK status byte, or waits for the user (and honours CANCEL).
#[derive(Clone, Default)]
struct Scripted {
    cancelled: Arc<AtomicUsize>,
    power_cycles: Arc<AtomicUsize>,
}

impl CtapDevice for Scripted {
    fn process_cbor(&mut self, request: &[u8], signals: &Signals) -> Vec<u8> {
        if let [WAIT_FOR_USER, tens, ..] = request {
            signals.set_status(KeepaliveStatus::UpNeeded);
            let deadline = Instant::now() + Duration::from_millis(u64::from(*tens) * 10);
            while Instant::now() < deadline {
                if signals.is_cancelled() {
                    self.cancelled.fetch_add(1, Ordering::SeqCst);
                    return vec![CTAP2_ERR_KEEPALIVE_CANCEL];
                }
                thread::sleep(Duration::from_millis(5));
            }
            return vec![0x00];
        }
        [&[0x00], request].concat()
    }

    fn process_msg(&mut self, _apdu: &[u8], _signals: &Signals) -> Option<Vec<u8>> {
        None
    }

    fn supports_msg(&self) -> bool {
        false
    }

    fn supports_cbor(&self) -> bool {
        true
    }

    fn power_cycle(&mut self) {
        self.power_cycles.fetch_add(1, Ordering::SeqCst);
    }

    fn wink(&mut self) {}
}

/// A server on an ephemeral port, stopped when dropped.
struct Running {
    addr: SocketAddr,
    shutdown: Arc<AtomicBool>,
    handle: Option<JoinHandle<io::Result<()>>>,
}

impl Running {
    fn start(device: Scripted) -> Self {
        Self::start_with(device, PowerCyclePolicy::default())
    }

    fn start_with(device: Scripted, power_cycle: PowerCyclePolicy) -> Self {
        let server = UdpServer::bind("127.0.0.1:0").unwrap().with_power_cycle(power_cycle);
        let addr = server.local_addr().unwrap();
        let shutdown = Arc::new(AtomicBool::new(false));
        let flag = shutdown.clone();
        let handle = thread::spawn(move || server.run(device, flag));
        Self { addr, shutdown, handle: Some(handle) }
    }

    fn client(&self) -> Client {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.connect(self.addr).unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        Client { socket }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.store(true, Ordering::SeqCst);
        if let Some(handle) = self.handle.take() {
            let result = handle.join().expect("the server thread panicked");
            if !thread::panicking() {
                result.expect("the server failed");
            }
        }
    }
}

/// A decoded message from the device, and the keepalive statuses that came before it.
#[derive(Debug)]
struct Reply {
    cid: u32,
    cmd: u8,
    payload: Vec<u8>,
    keepalives: Vec<u8>,
}

struct Client {
    socket: UdpSocket,
}

impl Client {
    fn send_report(&self, report: &[u8]) {
        self.socket.send(report).unwrap();
    }

    fn send(&self, cid: u32, cmd: u8, payload: &[u8]) {
        let mut report = [0u8; REPORT_LEN];
        report[..4].copy_from_slice(&cid.to_be_bytes());
        report[4] = cmd | 0x80;
        report[5..7].copy_from_slice(&(payload.len() as u16).to_be_bytes());
        let first = payload.len().min(57);
        report[7..7 + first].copy_from_slice(&payload[..first]);
        self.send_report(&report);
        for (seq, chunk) in payload[first..].chunks(59).enumerate() {
            let mut report = [0u8; REPORT_LEN];
            report[..4].copy_from_slice(&cid.to_be_bytes());
            report[4] = seq as u8;
            report[5..5 + chunk.len()].copy_from_slice(chunk);
            self.send_report(&report);
        }
    }

    fn report(&self) -> Report {
        let mut buffer = [0u8; 128];
        let len = self.socket.recv(&mut buffer).expect("no report from the device");
        buffer[..len].try_into().expect("a 64-byte report")
    }

    fn nothing_within(&self, wait: Duration) -> bool {
        self.socket.set_read_timeout(Some(wait)).unwrap();
        let mut buffer = [0u8; 128];
        let quiet = self.socket.recv(&mut buffer).is_err();
        self.socket.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        quiet
    }

    /// Reads one message, collecting the keepalives that precede it.
    fn reply(&self) -> Reply {
        let mut keepalives = Vec::new();
        loop {
            let first = self.report();
            let cid = u32::from_be_bytes(first[..4].try_into().unwrap());
            let cmd = first[4] & 0x7f;
            let len = usize::from(u16::from_be_bytes([first[5], first[6]]));
            if cmd == KEEPALIVE {
                keepalives.push(first[7]);
                continue;
            }
            let mut payload = first[7..].to_vec();
            for seq in 0.. {
                if payload.len() >= len {
                    break;
                }
                let next = self.report();
                assert_eq!((&next[..4], next[4]), (&first[..4], seq), "continuation packets in order");
                payload.extend_from_slice(&next[5..]);
            }
            payload.truncate(len);
            return Reply { cid, cmd, payload, keepalives };
        }
    }

    fn call(&self, cid: u32, cmd: u8, payload: &[u8]) -> Reply {
        self.send(cid, cmd, payload);
        self.reply()
    }

    fn open(&self) -> u32 {
        let nonce = *b"\x01\x02\x03\x04\x05\x06\x07\x08";
        let reply = self.call(BROADCAST, INIT, &nonce);
        assert_eq!((reply.cid, reply.cmd, &reply.payload[..8]), (BROADCAST, INIT, &nonce[..]));
        u32::from_be_bytes(reply.payload[8..12].try_into().unwrap())
    }
}

fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(3);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_fragmented_cbor_request_round_trips() {
    let server = Running::start(Scripted::default());
    let client = server.client();
    let cid = client.open();
    let request: Vec<u8> = (0..150).map(|i| i as u8).collect();
    let reply = client.call(cid, CBOR, &request);
    assert_eq!((reply.cid, reply.cmd), (cid, CBOR));
    assert_eq!(reply.payload, [&[0x00], &request[..]].concat());
}

#[test]
fn keepalives_flow_while_a_request_waits_for_the_user() {
    let server = Running::start(Scripted::default());
    let client = server.client();
    let cid = client.open();
    let reply = client.call(cid, CBOR, &[WAIT_FOR_USER, 50]);
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..]), (cid, CBOR, &[0x00][..]));
    // 500 ms at one keepalive per 80 ms; a loaded machine may merge a few.
    assert!(reply.keepalives.len() >= 3, "{:?}", reply.keepalives);
    assert!(reply.keepalives.iter().all(|&status| status == KeepaliveStatus::UpNeeded as u8));
}

#[test]
fn cancel_stops_a_request_in_progress() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let client = server.client();
    let cid = client.open();
    client.send(cid, CBOR, &[WAIT_FOR_USER, 250]);
    let keepalive = client.report();
    assert_eq!((keepalive[4], keepalive[7]), (KEEPALIVE | 0x80, KeepaliveStatus::UpNeeded as u8));
    let cancelled_at = Instant::now();
    client.send(cid, CANCEL, &[]);
    let reply = client.reply();
    assert_eq!((reply.cmd, &reply.payload[..]), (CBOR, &[CTAP2_ERR_KEEPALIVE_CANCEL][..]));
    assert!(cancelled_at.elapsed() < Duration::from_secs(1));
    assert_eq!(device.cancelled.load(Ordering::SeqCst), 1);
}

#[test]
fn other_clients_are_busy_while_a_request_runs() {
    let server = Running::start(Scripted::default());
    let (first, second) = (server.client(), server.client());
    let cid = first.open();
    first.send(cid, CBOR, &[WAIT_FOR_USER, 40]);
    let other = second.open();
    let reply = second.call(other, PING, b"hello");
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..]), (other, ERROR, &[0x06][..]));
    let reply = first.reply();
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..]), (cid, CBOR, &[0x00][..]));
    assert!(second.nothing_within(Duration::from_millis(100)), "keepalives go to the requester only");
    assert_eq!(second.call(other, PING, b"hello").payload, b"hello");
}

#[test]
fn the_old_channel_works_after_a_power_cycle() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let client = server.client();
    let cid = client.open();
    client.send_report(&POWER_CYCLE_PACKET);
    assert!(client.nothing_within(Duration::from_millis(150)), "a power cycle is not answered");
    eventually("the device power cycle", || device.power_cycles.load(Ordering::SeqCst) == 1);
    let reply = client.call(cid, PING, b"still here");
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..]), (cid, PING, &b"still here"[..]));
    let reply = client.call(cid, CBOR, &[0x04]);
    assert_eq!(reply.payload, [0x00, 0x04]);
}

#[test]
fn a_power_cycle_cancels_the_request_in_progress() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let client = server.client();
    let cid = client.open();
    client.send(cid, CBOR, &[WAIT_FOR_USER, 250]);
    assert_eq!(client.report()[4], KEEPALIVE | 0x80);
    client.send_report(&POWER_CYCLE_PACKET);
    eventually("the cancellation", || device.cancelled.load(Ordering::SeqCst) == 1);
    eventually("the device power cycle", || device.power_cycles.load(Ordering::SeqCst) == 1);
    // The cancelled request's answer is never sent: the next answer is the new request's.
    let reply = client.call(cid, CBOR, &[0x04]);
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..]), (cid, CBOR, &[0x00, 0x04][..]));
}

#[test]
fn datagrams_of_other_lengths_are_dropped() {
    let server = Running::start(Scripted::default());
    let client = server.client();
    let cid = client.open();
    let mut ping = [0u8; 65];
    ping[..4].copy_from_slice(&cid.to_be_bytes());
    ping[4..7].copy_from_slice(&[PING | 0x80, 0, 1]);
    client.send_report(&ping[..63]);
    client.send_report(&ping);
    client.send_report(&[]);
    assert!(client.nothing_within(Duration::from_millis(150)));
    assert_eq!(client.call(cid, PING, b"ok").payload, b"ok");
}

#[test]
fn the_server_stops_when_asked() {
    let server = Running::start(Scripted::default());
    let client = server.client();
    let cid = client.open();
    client.send(cid, CBOR, &[WAIT_FOR_USER, 250]);
    assert_eq!(client.report()[4], KEEPALIVE | 0x80);
    let stopping = Instant::now();
    drop(server);
    assert!(stopping.elapsed() < Duration::from_secs(1), "a running request is cancelled at shutdown");
}

#[test]
fn init_resynchronises_a_channel_with_a_request_in_progress() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let client = server.client();
    let cid = client.open();
    client.send(cid, CBOR, &[WAIT_FOR_USER, 250]);
    assert_eq!(client.report()[4], KEEPALIVE | 0x80);
    let reply = client.call(cid, INIT, b"resync!!");
    assert_eq!((reply.cid, reply.cmd, &reply.payload[8..12]), (cid, INIT, &cid.to_be_bytes()[..]));
    eventually("the cancellation", || device.cancelled.load(Ordering::SeqCst) == 1);
    // The abandoned request's answer is dropped; the channel's next request gets its own.
    let reply = client.call(cid, CBOR, &[0x04]);
    assert_eq!((reply.cmd, &reply.payload[..]), (CBOR, &[0x00, 0x04][..]));
    assert!(reply.keepalives.len() <= 1, "no keepalives for the abandoned request");
}

const ERR_INVALID_CHANNEL: u8 = 0x0b;

#[test]
fn another_port_cannot_resync_cancel_or_use_a_clients_channel() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let (owner, intruder) = (server.client(), server.client());
    let cid = owner.open();
    owner.send(cid, CBOR, &[WAIT_FOR_USER, 30]);
    assert_eq!(owner.report()[4], KEEPALIVE | 0x80);
    // CTAP 2.1 §11.2.9.1.6: ERR_INVALID_CHANNEL for a channel the sender was not given.
    for (cmd, payload) in [(CANCEL, &b""[..]), (INIT, &b"resync!!"[..]), (PING, &b"hello"[..])] {
        let reply = intruder.call(cid, cmd, payload);
        assert_eq!((reply.cid, reply.cmd, &reply.payload[..]), (cid, ERROR, &[ERR_INVALID_CHANNEL][..]));
    }
    let reply = owner.reply();
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..]), (cid, CBOR, &[0x00][..]), "the request ran on");
    assert_eq!(device.cancelled.load(Ordering::SeqCst), 0);
    assert_eq!(owner.call(cid, PING, b"mine").payload, b"mine");
}

/// CTAP 2.1 §11.2.9.1.3: an INIT on a channel nobody was given, sent while another client's
/// request runs, is answered on that channel with a fresh channel for its sender; the running
/// request goes on, and the made-up channel stays nobody's.
#[test]
fn init_on_a_made_up_channel_allocates_one_without_disturbing_a_busy_channel() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let (owner, newcomer) = (server.client(), server.client());
    let cid = owner.open();
    owner.send(cid, CBOR, &[WAIT_FOR_USER, 30]);
    assert_eq!(owner.report()[4], KEEPALIVE | 0x80);
    let invented = 0x0bad_cafe;
    let reply = newcomer.call(invented, INIT, b"resync!!");
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..8]), (invented, INIT, &b"resync!!"[..]));
    let given = u32::from_be_bytes(reply.payload[8..12].try_into().unwrap());
    assert_ne!(given, invented);
    let reply = owner.reply();
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..]), (cid, CBOR, &[0x00][..]), "the request ran on");
    assert_eq!(device.cancelled.load(Ordering::SeqCst), 0);
    assert_eq!(newcomer.call(given, PING, b"mine").payload, b"mine");
    let reply = owner.call(given, PING, b"theirs");
    assert_eq!(
        (reply.cmd, &reply.payload[..]),
        (ERROR, &[ERR_INVALID_CHANNEL][..]),
        "the new channel is the newcomer's"
    );
    let reply = newcomer.call(invented, PING, b"made up");
    assert_eq!((reply.cmd, &reply.payload[..]), (ERROR, &[ERR_INVALID_CHANNEL][..]));
}

#[test]
fn only_a_channel_owner_can_power_cycle_the_device() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let (owner, stranger) = (server.client(), server.client());
    let cid = owner.open();
    stranger.send_report(&POWER_CYCLE_PACKET);
    thread::sleep(Duration::from_millis(150));
    assert_eq!(owner.call(cid, PING, b"up").payload, b"up");
    assert_eq!(
        device.power_cycles.load(Ordering::SeqCst),
        0,
        "a sender without a channel cannot power cycle"
    );
    owner.send_report(&POWER_CYCLE_PACKET);
    eventually("the owner's power cycle", || device.power_cycles.load(Ordering::SeqCst) == 1);
}

#[test]
fn a_stranger_cannot_adopt_a_channel_after_a_power_cycle() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let (owner, stranger) = (server.client(), server.client());
    let cid = owner.open();
    owner.send_report(&POWER_CYCLE_PACKET);
    eventually("the power cycle", || device.power_cycles.load(Ordering::SeqCst) == 1);
    let reply = stranger.call(cid, PING, b"mine now");
    assert_eq!((reply.cmd, &reply.payload[..]), (ERROR, &[ERR_INVALID_CHANNEL][..]));
    assert_eq!(owner.call(cid, PING, b"still mine").payload, b"still mine");
}

#[test]
fn power_cycle_any_accepts_every_sender() {
    let device = Scripted::default();
    let server = Running::start_with(device.clone(), PowerCyclePolicy::Any);
    server.client().send_report(&POWER_CYCLE_PACKET);
    eventually("the power cycle", || device.power_cycles.load(Ordering::SeqCst) == 1);
}

/// More allocations than the owner table holds entries, however it is sized.
const FLOOD: usize = 160;

/// `owner` opens a channel and power-cycles the device: the channel is adoptable, not live.
fn an_adoptable_channel(device: &Scripted, owner: &Client) -> u32 {
    let cid = owner.open();
    owner.send_report(&POWER_CYCLE_PACKET);
    eventually("the power cycle", || device.power_cycles.load(Ordering::SeqCst) == 1);
    cid
}

/// CTAP 2.1 §11.2.9.1.3: an INIT on a channel the device still knows (here adoptable after a
/// power cycle) would resynchronise it, so a stranger gets ERR_INVALID_CHANNEL there, even after
/// allocating enough channels to push older entries out of the owner table.
#[test]
fn a_stranger_cannot_resync_an_adoptable_channel_after_a_flood_of_allocations() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let (owner, stranger) = (server.client(), server.client());
    let cid = an_adoptable_channel(&device, &owner);
    for _ in 0..FLOOD {
        stranger.open();
    }
    let reply = stranger.call(cid, INIT, b"takeover");
    assert_eq!((reply.cid, reply.cmd, &reply.payload[..]), (cid, ERROR, &[ERR_INVALID_CHANNEL][..]));
    let reply = stranger.call(cid, PING, b"mine now");
    assert_eq!((reply.cmd, &reply.payload[..]), (ERROR, &[ERR_INVALID_CHANNEL][..]));
    assert_eq!(owner.call(cid, PING, b"still mine").payload, b"still mine");
}

/// Each INIT on a made-up channel is answered there with a fresh channel; none of them costs the
/// owner of a channel the device still knows its ownership.
#[test]
fn inits_on_made_up_channels_do_not_evict_an_owner() {
    let device = Scripted::default();
    let server = Running::start(device.clone());
    let (owner, stranger) = (server.client(), server.client());
    let cid = an_adoptable_channel(&device, &owner);
    for invented in (0..FLOOD as u32).map(|n| 0x5eed_0000 + n) {
        let reply = stranger.call(invented, INIT, b"made up!");
        assert_eq!((reply.cid, reply.cmd, &reply.payload[..8]), (invented, INIT, &b"made up!"[..]));
        assert_ne!(reply.payload[8..12], invented.to_be_bytes(), "a fresh channel");
    }
    assert_eq!(owner.call(cid, PING, b"still mine").payload, b"still mine");
    let reply = stranger.call(cid, PING, b"mine now");
    assert_eq!((reply.cmd, &reply.payload[..]), (ERROR, &[ERR_INVALID_CHANNEL][..]));
}

/// CTAP 2.1 §11.2.3: each client allocates its own channel. A sender allocating channels in a
/// loop on a full table recycles its own, so another client's idle channel stays allocated.
#[test]
fn a_flood_of_allocations_from_one_address_keeps_another_clients_channel() {
    let server = Running::start(Scripted::default());
    let (owner, stranger) = (server.client(), server.client());
    let cid = owner.open();
    for _ in 0..FLOOD {
        stranger.open();
    }
    assert_eq!(owner.call(cid, PING, b"still mine").payload, b"still mine");
}
