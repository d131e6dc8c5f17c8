use super::Memory;

#[test]
fn memory_is_read_from_proc_status() {
    let status = "Name:\tsoftfido\nVmPeak:\t  900000 kB\nVmHWM:\t   51234 kB\nVmRSS:\t   40960 kB\n";
    assert_eq!(Memory::parse(status), Some(Memory { peak_kib: 51234, resident_kib: 40960 }));
}

#[test]
fn a_status_without_both_figures_gives_none() {
    assert_eq!(Memory::parse("VmHWM:\t 10 kB\n"), None);
    assert_eq!(Memory::parse("VmHWM:\t ten kB\nVmRSS:\t 10 kB\n"), None);
}
