use super::*;

#[test]
fn malformed_datagram_flood_logs_one_warning_per_interval() {
    let mut throttle = WarnThrottle::new(Duration::from_secs(10));
    let start = Instant::now();
    assert_eq!(throttle.admit(start), Some(0));
    for i in 1..=1000 {
        assert_eq!(throttle.admit(start + Duration::from_millis(i)), None);
    }
    assert_eq!(throttle.admit(start + Duration::from_secs(10)), Some(1000));
    assert_eq!(throttle.admit(start + Duration::from_secs(11)), None);
    assert_eq!(throttle.admit(start + Duration::from_secs(20)), Some(1));
}
