//! CTAPHID over UDP, the convention of the SoloKeys simulator.
//!
//! Each datagram is exactly one 64-byte HID report, without a report-ID byte. Each channel
//! belongs to the address that allocated it: replies go there, and a datagram for the channel
//! from any other address gets ERR_INVALID_CHANNEL and changes nothing; a sender owning channels
//! that allocates one more on a full table recycles its own. A datagram equal to
//! [`POWER_CYCLE_PACKET`] unplugs and plugs the device back in, when the [`PowerCyclePolicy`]
//! lets its sender. Other lengths are dropped, with at most one warning
//! (counting the others) every ten seconds and each one logged at debug level.
//!
//! Three threads share the work, and only the event loop touches protocol state:
//! - a reader blocks on the socket and forwards datagrams as events;
//! - a worker owns the [`CtapDevice`] and runs requests, power cycles and winks in order;
//! - the event loop owns the [`CtapHid`] state machine, answers datagrams, sends keepalives
//!   while a request runs and sends each answer as soon as the worker reports it.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender};
use std::thread;
use std::time::{Duration, Instant};

use tracing::{debug, info, warn};

use self::owners::ChannelOwners;
use crate::ctap2::CtapDevice;
use crate::hid::{
    BROADCAST_CID, CtapHid, HidCommand, HidConfig, HidError, Output, REPORT_LEN, Report, RequestId,
};
use crate::signals::{KeepaliveStatus, Signals};

mod owners;
mod throttle;

#[cfg(test)]
mod tests;

/// Where the SoloKeys simulator listens, and where its clients look for it.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8111";

/// The datagram that simulates unplugging and plugging in the device (SoloKeys simulator).
pub const POWER_CYCLE_PACKET: Report = [
    0xac, 0x10, 0x52, 0xca, 0x95, 0xe5, 0x69, 0xde, 0x69, 0xe0, 0x2e, 0xbf, 0xf3, 0x33, 0x48, 0x5f, //
    0x13, 0xf9, 0xb2, 0xda, 0x34, 0xc5, 0xa8, 0xa3, 0x40, 0x52, 0x66, 0x97, 0xa9, 0xab, 0x2e, 0x0b, //
    0x39, 0x4d, 0x8d, 0x04, 0x97, 0x3c, 0x13, 0x40, 0x05, 0xbe, 0x1a, 0x01, 0x40, 0xbf, 0xf6, 0x04, //
    0x5b, 0xb2, 0x6e, 0xb7, 0x7a, 0x73, 0xea, 0xa4, 0x78, 0x13, 0xf6, 0xb4, 0x9a, 0x72, 0x50, 0xdc, //
];

/// How often keepalives go out while a request runs. CTAP 2.1 §11.2.9.1.7: a keepalive
/// "SHOULD be sent at least every 100ms and whenever the status changes"; 80 ms leaves room for
/// scheduling jitter without crossing 100 ms.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_millis(80);

/// The longest the event loop sleeps: bounds how late a shutdown, a status change or a timeout
/// is noticed.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Datagrams and answers waiting for the event loop; past this the reader waits and the kernel
/// buffers (then drops) datagrams, as a HID endpoint would NAK.
const EVENT_QUEUE_LEN: usize = 256;

/// ISO 7816 status word SW_INS_NOT_SUPPORTED, the answer to an APDU a device cannot process.
const SW_INS_NOT_SUPPORTED: [u8; 2] = [0x6d, 0x00];

/// Who may send [`POWER_CYCLE_PACKET`].
///
/// A power cycle ends the 10-second window after power-up in which authenticatorReset is
/// allowed (CTAP 2.1 §6.6) and resets the three-wrong-PINs-per-power-up limit (§6.5.2.2), so
/// it must not be in the hands of every sender on the port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PowerCyclePolicy {
    /// A loopback sender that owns a channel (allocated one with CTAPHID_INIT from that very
    /// address and port): the client using the device, as the one who could unplug it.
    #[default]
    ChannelOwner,
    /// Any sender, as the SoloKeys simulator accepts it.
    Any,
}

impl PowerCyclePolicy {
    /// Whether `peer`, owning a channel or not, may power-cycle the device.
    fn allows(self, peer: SocketAddr, owns_a_channel: bool) -> bool {
        match self {
            Self::ChannelOwner => peer.ip().is_loopback() && owns_a_channel,
            Self::Any => true,
        }
    }
}

/// A CTAPHID device on a UDP socket.
#[derive(Debug)]
pub struct UdpServer {
    socket: UdpSocket,
    power_cycle: PowerCyclePolicy,
}

impl UdpServer {
    /// Binds the socket (e.g. [`DEFAULT_ADDR`], or `127.0.0.1:0` in tests), with the default
    /// [`PowerCyclePolicy`].
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Self> {
        Ok(Self { socket: UdpSocket::bind(addr)?, power_cycle: PowerCyclePolicy::default() })
    }

    /// Who may send the power-cycle packet.
    #[must_use]
    pub fn with_power_cycle(self, power_cycle: PowerCyclePolicy) -> Self {
        Self { power_cycle, ..self }
    }

    /// The address the socket is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Serves `device` until `shutdown` is set (noticed within about 50 ms), or until the socket
    /// fails. A request still running at shutdown is cancelled and waited for.
    pub fn run<D: CtapDevice>(self, device: D, shutdown: Arc<AtomicBool>) -> io::Result<()> {
        let config = HidConfig {
            supports_msg: device.supports_msg(),
            supports_cbor: device.supports_cbor(),
            ..HidConfig::default()
        };
        let reader_socket = self.socket.try_clone()?;
        reader_socket.set_read_timeout(Some(POLL_INTERVAL))?;
        let (event_tx, event_rx) = mpsc::sync_channel(EVENT_QUEUE_LEN);
        let (job_tx, job_rx) = mpsc::channel();
        let stop_reading = AtomicBool::new(false);
        info!(addr = %self.socket.local_addr()?, "CTAPHID over UDP listening");

        thread::scope(|scope| {
            let worker_events = event_tx.clone();
            scope.spawn(move || work(device, job_rx, worker_events));
            scope.spawn(|| read(reader_socket, event_tx, &stop_reading));
            let event_loop = EventLoop {
                socket: self.socket,
                hid: CtapHid::new(config),
                events: event_rx,
                jobs: job_tx,
                owners: ChannelOwners::default(),
                power_cycle: self.power_cycle,
                current: None,
            };
            let result = event_loop.run(&shutdown);
            // The event loop dropped the job queue, so the worker ends after its current job.
            stop_reading.store(true, Ordering::SeqCst);
            result
        })
    }
}

/// What the event loop waits for.
enum Event {
    /// One 64-byte datagram.
    Datagram { report: Report, peer: SocketAddr },
    /// The worker's answer to a request.
    Done { request: RequestId, answer: Vec<u8> },
    /// The socket failed for good.
    ReadFailed(io::Error),
}

/// What the worker does with the device, in order.
enum Job {
    Request { request: RequestId, command: HidCommand, payload: Vec<u8>, signals: Signals },
    Wink,
    PowerCycle,
}

/// The request the state machine is waiting on, as the transport sees it.
struct InFlight {
    request: RequestId,
    cid: u32,
    peer: SocketAddr,
    signals: Signals,
    command: HidCommand,
    request_len: usize,
    /// The CTAP2 command byte, or the APDU's INS for CTAPHID_MSG.
    operation: u8,
    last_status: KeepaliveStatus,
    next_keepalive: Instant,
}

struct EventLoop {
    socket: UdpSocket,
    hid: CtapHid,
    events: Receiver<Event>,
    jobs: Sender<Job>,
    owners: ChannelOwners,
    power_cycle: PowerCyclePolicy,
    current: Option<InFlight>,
}

impl EventLoop {
    fn run(mut self, shutdown: &AtomicBool) -> io::Result<()> {
        let result = self.serve(shutdown);
        if let Some(current) = self.current.take() {
            current.signals.cancel();
        }
        result
    }

    fn serve(&mut self, shutdown: &AtomicBool) -> io::Result<()> {
        while !shutdown.load(Ordering::SeqCst) {
            match self.events.recv_timeout(self.wait(Instant::now())) {
                Ok(Event::Datagram { report, peer }) => self.on_datagram(&report, peer)?,
                Ok(Event::Done { request, answer }) => self.on_done(request, &answer),
                Ok(Event::ReadFailed(error)) => return Err(error),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(io::Error::other("the CTAPHID reader and worker stopped"));
                }
            }
            let now = Instant::now();
            let outputs = self.hid.tick(now);
            self.apply(outputs, None, now)?;
            self.keep_alive(now);
        }
        Ok(())
    }

    /// How long to wait for the next event: until the next keepalive or state-machine deadline,
    /// at most [`POLL_INTERVAL`].
    fn wait(&self, now: Instant) -> Duration {
        // An abandoned request (its channel resynchronised) gets no keepalives, so its timer
        // must not wake the loop.
        let keepalive = self
            .current
            .as_ref()
            .filter(|current| self.hid.is_pending(current.request))
            .map(|current| current.next_keepalive);
        [keepalive, self.hid.next_deadline()]
            .into_iter()
            .flatten()
            .map(|deadline| deadline.saturating_duration_since(now))
            .fold(POLL_INTERVAL, Duration::min)
            .max(Duration::from_millis(1))
    }

    fn on_datagram(&mut self, report: &Report, peer: SocketAddr) -> io::Result<()> {
        // Owners of channels the state machine has forgotten go too: the table holds only
        // channels in use, and allocations cannot push their owners out.
        self.owners.retain_known(|cid| self.hid.knows(cid));
        if *report == POWER_CYCLE_PACKET {
            if self.power_cycle.allows(peer, self.owners.owns_a_channel(peer)) {
                self.power_cycle(peer);
            } else {
                debug!(%peer, policy = ?self.power_cycle, "power-cycle packet ignored");
            }
            return Ok(());
        }
        debug!(%peer, frame = %Hex(report), "CTAPHID frame received");
        let cid = u32::from_be_bytes([report[0], report[1], report[2], report[3]]);
        // CTAP 2.1 §11.2.3, §11.2.9.1.6: a channel is its allocator's; to anyone else it is
        // not allocated, so ERR_INVALID_CHANNEL, and the state machine never sees the packet.
        if !self.owners.may_use(cid, peer, report, self.hid.knows(cid)) {
            debug!(%peer, cid = %format_args!("{cid:08x}"), "packet on another address's channel refused");
            self.send(&[crate::hid::error_report(cid, HidError::InvalidChannel)], peer);
            return Ok(());
        }
        // Refreshes the sender's own channel (or the broadcast one). An INIT on a channel nobody
        // owns takes no entry: it is answered there, to its sender, with the channel it
        // allocates, which is recorded as the sender's.
        if cid == BROADCAST_CID || self.owners.owner(cid) == Some(peer) {
            self.owners.record(cid, peer);
        }
        if owners::is_init(report) && !self.hid.knows(cid) && self.hid.is_full() {
            self.recycle_own_channel(peer);
        }
        let now = Instant::now();
        let outputs = self.hid.handle_report(report, now);
        if let Some(allocated) = outputs.iter().find_map(owners::allocated_cid) {
            self.owners.record(allocated, peer);
        }
        self.apply(outputs, Some(peer), now)
    }

    /// An INIT that allocates on a full table forgets a channel (CTAP 2.1 §11.2.3 sets no
    /// lifetime). When its sender owns channels already, it gives up its own least recently
    /// used one, so that allocating in a loop from one address never evicts another client's
    /// channel; a sender owning none takes the state machine's least recently used one.
    fn recycle_own_channel(&mut self, peer: SocketAddr) {
        let own = self.owners.channels_of(peer);
        if let Some(released) = own.into_iter().find(|cid| self.hid.release(*cid)) {
            debug!(%peer, cid = %format_args!("{released:08x}"), "the sender's own channel recycled");
            self.owners.retain_known(|cid| self.hid.knows(cid));
        }
    }

    /// Unplug and plug in: a running request is cancelled first; the device forgets its
    /// volatile state once that request has ended (the worker runs jobs in order). Nothing is
    /// answered.
    fn power_cycle(&mut self, peer: SocketAddr) {
        info!(%peer, "power-cycle packet: unplugging and plugging in the device");
        if let Some(current) = self.current.take() {
            current.signals.cancel();
        }
        self.hid.power_cycle();
        self.queue(Job::PowerCycle);
    }

    fn on_done(&mut self, request: RequestId, answer: &[u8]) {
        let reports = self.hid.complete(request, answer);
        let Some(current) = self.current.take_if(|current| current.request == request) else {
            debug!(?request, "dropping the answer to an abandoned request");
            return;
        };
        // Empty when the channel was resynchronised meanwhile: the answer is then dropped.
        let delivered = !reports.is_empty();
        info!(
            cid = %format_args!("{:08x}", current.cid),
            command = ?current.command,
            operation = %format_args!("{} ({:#04x})", operation_name(current.command, current.operation), current.operation),
            request_len = current.request_len,
            answer_len = answer.len(),
            status = %Status(current.command, answer),
            delivered,
            "CTAPHID request answered",
        );
        self.send(&reports, current.peer);
    }

    fn apply(&mut self, outputs: Vec<Output>, origin: Option<SocketAddr>, now: Instant) -> io::Result<()> {
        for output in outputs {
            match output {
                Output::Send { cid, reports } => {
                    if let Some(peer) = self.peer(cid).or(origin) {
                        self.send(&reports, peer);
                    }
                }
                Output::Dispatch { request, cid, command, payload } => {
                    let Some(peer) = self.peer(cid).or(origin) else {
                        // Not expected: a dispatch always follows a datagram from its channel.
                        warn!(cid = %format_args!("{cid:08x}"), "no client address; request dropped");
                        self.hid.complete(request, &[]);
                        continue;
                    };
                    let operation = operation(command, &payload);
                    debug!(cid = %format_args!("{cid:08x}"), ?command, len = payload.len(), "dispatching");
                    let signals = Signals::new();
                    self.current = Some(InFlight {
                        request,
                        cid,
                        peer,
                        signals: signals.clone(),
                        command,
                        request_len: payload.len(),
                        operation,
                        last_status: KeepaliveStatus::Processing,
                        next_keepalive: now + KEEPALIVE_INTERVAL,
                    });
                    if !self.queue(Job::Request { request, command, payload, signals }) {
                        return Err(io::Error::other("the authenticator worker stopped"));
                    }
                }
                Output::Cancel { request, cid } => {
                    if let Some(current) = self.current.as_ref().filter(|current| current.request == request)
                    {
                        info!(cid = %format_args!("{cid:08x}"), "cancelling the request in progress");
                        current.signals.cancel();
                    }
                }
                Output::Wink { cid } => {
                    info!(cid = %format_args!("{cid:08x}"), "wink");
                    self.queue(Job::Wink);
                }
            }
        }
        Ok(())
    }

    /// CTAP 2.1 §11.2.9.1.7: while a request runs, a keepalive at least every 100 ms and
    /// whenever the status changes, for as long as the state machine still awaits the answer.
    fn keep_alive(&mut self, now: Instant) {
        let Some(current) = self.current.as_mut() else { return };
        if !self.hid.is_pending(current.request) {
            return;
        }
        let status = current.signals.status();
        if now < current.next_keepalive && status == current.last_status {
            return;
        }
        current.last_status = status;
        current.next_keepalive = now + KEEPALIVE_INTERVAL;
        let report = self.hid.keepalive(current.cid, status);
        let peer = current.peer;
        self.send(&[report], peer);
    }

    fn send(&self, reports: &[Report], peer: SocketAddr) {
        for report in reports {
            debug!(%peer, frame = %Hex(report), "CTAPHID frame sent");
            if let Err(error) = self.socket.send_to(report, peer) {
                warn!(%peer, %error, "could not send a CTAPHID report");
                return;
            }
        }
    }

    fn queue(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }

    fn peer(&self, cid: u32) -> Option<SocketAddr> {
        self.owners.owner(cid)
    }
}

/// Forwards datagrams to the event loop until told to stop.
fn read(socket: UdpSocket, events: SyncSender<Event>, stop: &AtomicBool) {
    // Larger than a report so that oversized datagrams are seen as such rather than truncated.
    let mut buffer = [0u8; 2048];
    let mut malformed_warnings = throttle::WarnThrottle::new(throttle::MALFORMED_WARN_INTERVAL);
    while !stop.load(Ordering::SeqCst) {
        let event = match socket.recv_from(&mut buffer) {
            Ok((len, peer)) => match Report::try_from(&buffer[..len]) {
                Ok(report) => Event::Datagram { report, peer },
                Err(_) => {
                    debug!(%peer, len, expected = REPORT_LEN, "dropping a datagram that is not one HID report");
                    if let Some(suppressed) = malformed_warnings.admit(Instant::now()) {
                        warn!(%peer, len, expected = REPORT_LEN, suppressed, "dropping datagrams that are not one HID report");
                    }
                    continue;
                }
            },
            Err(error) if is_transient(&error) => continue,
            Err(error) => Event::ReadFailed(error),
        };
        let failed = matches!(event, Event::ReadFailed(_));
        if events.send(event).is_err() || failed {
            return;
        }
    }
}

/// Read timeouts, interruptions, and ICMP errors some systems report for an earlier send to a
/// client that has gone away: none of them stops the server.
fn is_transient(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock
            | io::ErrorKind::TimedOut
            | io::ErrorKind::Interrupted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    )
}

/// Runs the device's jobs in order until the event loop drops the queue.
fn work<D: CtapDevice>(mut device: D, jobs: Receiver<Job>, events: SyncSender<Event>) {
    for job in jobs {
        match job {
            Job::Request { request, command, payload, signals } => {
                let answer = match command {
                    HidCommand::Msg => device
                        .process_msg(&payload, &signals)
                        .unwrap_or_else(|| SW_INS_NOT_SUPPORTED.to_vec()),
                    _ => device.process_cbor(&payload, &signals),
                };
                if events.send(Event::Done { request, answer }).is_err() {
                    return;
                }
            }
            Job::Wink => device.wink(),
            Job::PowerCycle => device.power_cycle(),
        }
    }
}

/// What a request asks for, for the log: the CTAP2 command byte, or an APDU's INS byte.
fn operation(command: HidCommand, payload: &[u8]) -> u8 {
    let index = if command == HidCommand::Msg { 1 } else { 0 };
    payload.get(index).copied().unwrap_or(0)
}

/// The name of an operation, for the log: a CTAP2 command's, or a U2F instruction's.
fn operation_name(command: HidCommand, operation: u8) -> &'static str {
    match command {
        HidCommand::Msg => crate::ctap1::Instruction::from_byte(operation).map_or("unknown", |i| i.name()),
        _ => crate::proto::request::code::name(operation),
    }
}

/// An answer's status, for the log: the CTAP2 status byte, or an APDU's status word.
struct Status<'a>(HidCommand, &'a [u8]);

impl fmt::Display for Status<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (HidCommand::Msg, [.., sw1, sw2]) => write!(f, "{sw1:02x}{sw2:02x}"),
            (_, [status, ..]) => match crate::proto::StatusCode::from_byte(*status) {
                Some(code) => write!(f, "{code}"),
                None => write!(f, "{status:#04x}"),
            },
            (_, []) => f.write_str("none"),
        }
    }
}

/// Lowercase hex, for frames in debug logs.
struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}
