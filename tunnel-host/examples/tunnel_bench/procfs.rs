//! CPU time and resident memory of a server process (with its children) from `/proc`.

use std::collections::HashMap;

/// Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, else 100).
fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// (ppid, utime + stime + cutime + cstime in ticks) of one process.
fn stat(pid: u32) -> Option<(u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // the command name is in parentheses and may hold spaces; fields follow the last ')'
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
    // rest[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17
    let ppid = num(1)? as u32;
    Some((ppid, num(11)? + num(12)? + num(13)? + num(14)?))
}

/// CPU seconds used so far by `root` and every live descendant (sshd forks one process,
/// or two, per connection; their time counts as sshd's).
pub fn cpu_seconds(root: u32) -> f64 {
    let mut parent = HashMap::new();
    let mut ticks = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some((ppid, t)) = stat(pid) {
                parent.insert(pid, ppid);
                ticks.insert(pid, t);
            }
        }
    }
    let in_tree = |mut pid: u32| {
        for _ in 0..64 {
            if pid == root {
                return true;
            }
            match parent.get(&pid) {
                Some(&p) if p != 0 => pid = p,
                _ => return false,
            }
        }
        false
    };
    let total: u64 = ticks
        .iter()
        .filter(|(pid, _)| in_tree(**pid))
        .map(|(_, t)| *t)
        .sum();
    total as f64 / ticks_per_second()
}

/// Resident memory of one process, in KiB (`VmRSS`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
