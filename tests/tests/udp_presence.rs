//! The real authenticator behind the UDP transport: a presence check that nobody answers sends
//! STATUS_UPNEEDED keepalives and ends in CTAP2_ERR_USER_ACTION_TIMEOUT; CTAPHID_CANCEL ends it
//! early with CTAP2_ERR_KEEPALIVE_CANCEL (CTAP 2.1 §11.2.9.1.5, §11.2.9.1.7).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use softfido_authenticator::config::{PresenceOutcome, Profile};
use softfido_authenticator::store::MemoryStore;
use softfido_authenticator::transport::udp::UdpServer;
use softfido_authenticator::{Authenticator, Config};

const BROADCAST: u32 = 0xFFFF_FFFF;
const INIT: u8 = 0x86;
const CBOR: u8 = 0x90;
const CANCEL: u8 = 0x91;
const KEEPALIVE: u8 = 0xBB;
const SELECTION: u8 = 0x0B;

struct Device {
    socket: UdpSocket,
    shutdown: Arc<AtomicBool>,
    server: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Device {
    fn start(config: Config) -> Self {
        let server = UdpServer::bind("127.0.0.1:0").unwrap();
        let address = server.local_addr().unwrap();
        let shutdown = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&shutdown);
        let authenticator = Authenticator::new(config, MemoryStore::new()).unwrap();
        let handle = std::thread::spawn(move || server.run(authenticator, flag));
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.connect(address).unwrap();
        socket.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Self { socket, shutdown, server: Some(handle) }
    }

    fn send(&self, cid: u32, command: u8, payload: &[u8]) {
        assert!(payload.len() <= 57, "single-packet requests only");
        let mut report = [0u8; 64];
        report[..4].copy_from_slice(&cid.to_be_bytes());
        report[4] = command;
        report[5..7].copy_from_slice(&(payload.len() as u16).to_be_bytes());
        report[7..7 + payload.len()].copy_from_slice(payload);
        self.socket.send(&report).unwrap();
    }

    fn receive(&self) -> [u8; 64] {
        let mut report = [0u8; 64];
        assert_eq!(self.socket.recv(&mut report).unwrap(), 64);
        report
    }

    fn open_channel(&self) -> u32 {
        let nonce = *b"softfido";
        self.send(BROADCAST, INIT, &nonce);
        let reply = self.receive();
        assert_eq!(reply[4], INIT);
        assert_eq!(&reply[7..15], &nonce);
        u32::from_be_bytes(reply[15..19].try_into().unwrap())
    }

    /// Reads until the CBOR answer, returning it and the keepalive statuses seen before it.
    fn answer(&self, cid: u32) -> (Vec<u8>, Vec<u8>) {
        let mut keepalives = Vec::new();
        loop {
            let report = self.receive();
            assert_eq!(u32::from_be_bytes(report[..4].try_into().unwrap()), cid);
            match report[4] {
                KEEPALIVE => keepalives.push(report[7]),
                CBOR => {
                    let len = usize::from(u16::from_be_bytes([report[5], report[6]]));
                    return (report[7..7 + len].to_vec(), keepalives);
                }
                other => panic!("unexpected CTAPHID command 0x{other:02x}"),
            }
        }
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        self.shutdown.store(true, Ordering::SeqCst);
        if let Some(server) = self.server.take() {
            server.join().unwrap().unwrap();
        }
    }
}

fn unanswered(timeout: Duration) -> Config {
    Config {
        presence: PresenceOutcome::Timeout,
        presence_timeout: timeout,
        ..Profile::SoftwareToken.config()
    }
}

#[test]
fn an_unanswered_presence_check_sends_upneeded_keepalives_then_times_out() {
    let device = Device::start(unanswered(Duration::from_millis(400)));
    let cid = device.open_channel();
    device.send(cid, CBOR, &[SELECTION]);
    let (answer, keepalives) = device.answer(cid);
    assert_eq!(answer, vec![0x2F], "CTAP2_ERR_USER_ACTION_TIMEOUT");
    assert!(keepalives.len() >= 3, "keepalives at least every 100 ms: {keepalives:?}");
    assert!(keepalives.contains(&2), "STATUS_UPNEEDED while waiting for the user: {keepalives:?}");
}

#[test]
fn cancel_ends_a_presence_check_with_keepalive_cancel() {
    let device = Device::start(unanswered(Duration::from_secs(30)));
    let cid = device.open_channel();
    let started = Instant::now();
    device.send(cid, CBOR, &[SELECTION]);
    assert_eq!(device.receive()[4], KEEPALIVE);
    device.send(cid, CANCEL, &[]);
    let (answer, _) = device.answer(cid);
    assert_eq!(answer, vec![0x2D], "CTAP2_ERR_KEEPALIVE_CANCEL");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn an_approved_presence_check_answers_ok() {
    let device = Device::start(Profile::SoftwareToken.config());
    let cid = device.open_channel();
    device.send(cid, CBOR, &[SELECTION]);
    assert_eq!(device.answer(cid).0, vec![0x00]);
}
