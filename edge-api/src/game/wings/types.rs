//! What Wings sends and expects on its bearer routes (contract section 4),
//! with Wings' field names and Go types.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET /api/system`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsSystemV1")
)]
pub struct SystemV1 {
    /// e.g. `amd64`.
    #[serde(default)]
    pub architecture: String,
    /// Logical CPUs.
    #[serde(default)]
    pub cpu_count: u32,
    /// Kernel version.
    #[serde(default)]
    pub kernel_version: String,
    /// e.g. `linux`.
    #[serde(default)]
    pub os: String,
    /// Wings version.
    #[serde(default)]
    pub version: String,
}

/// `docker.cgroups` of `GET /api/system?v=2`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsCgroups")
)]
pub struct Cgroups {
    /// e.g. `systemd`.
    #[serde(default)]
    pub driver: String,
    /// e.g. `2`.
    #[serde(default)]
    pub version: String,
}

/// `docker.containers` of `GET /api/system?v=2`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsContainers")
)]
pub struct Containers {
    /// All containers.
    #[serde(default)]
    pub total: i64,
    /// Running.
    #[serde(default)]
    pub running: i64,
    /// Paused.
    #[serde(default)]
    pub paused: i64,
    /// Stopped.
    #[serde(default)]
    pub stopped: i64,
}

/// `docker.storage` of `GET /api/system?v=2`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsStorage")
)]
pub struct Storage {
    /// e.g. `overlay2`.
    #[serde(default)]
    pub driver: String,
    /// e.g. `extfs`.
    #[serde(default)]
    pub filesystem: String,
}

/// `docker.runc` of `GET /api/system?v=2`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsRunc")
)]
pub struct Runc {
    /// runc version.
    #[serde(default)]
    pub version: String,
}

/// `docker` of `GET /api/system?v=2`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsDocker")
)]
pub struct Docker {
    /// Docker version.
    #[serde(default)]
    pub version: String,
    /// cgroups.
    #[serde(default)]
    pub cgroups: Cgroups,
    /// Container counts.
    #[serde(default)]
    pub containers: Containers,
    /// Storage driver.
    #[serde(default)]
    pub storage: Storage,
    /// runc.
    #[serde(default)]
    pub runc: Runc,
}

/// `system` of `GET /api/system?v=2`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsHost")
)]
pub struct Host {
    /// e.g. `amd64`.
    #[serde(default)]
    pub architecture: String,
    /// Hardware threads.
    #[serde(default)]
    pub cpu_threads: i64,
    /// Memory in bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub memory_bytes: i64,
    /// Kernel version.
    #[serde(default)]
    pub kernel_version: String,
    /// OS name.
    #[serde(default)]
    pub os: String,
    /// e.g. `linux`.
    #[serde(default)]
    pub os_type: String,
}

/// `GET /api/system?v=2`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsSystemV2")
)]
pub struct SystemV2 {
    /// Wings version.
    #[serde(default)]
    pub version: String,
    /// Docker facts.
    #[serde(default)]
    pub docker: Docker,
    /// Host facts.
    #[serde(default)]
    pub system: Host,
}

/// One disk of `GET /api/system/utilization`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsDisk")
)]
pub struct DiskDetail {
    /// Device.
    #[serde(default)]
    pub device: String,
    /// Mount point.
    #[serde(default)]
    pub mountpoint: String,
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub total_space: u64,
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub used_space: u64,
    /// Tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// `GET /api/system/utilization`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsUtilization")
)]
pub struct Utilization {
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub memory_total: u64,
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub memory_used: u64,
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub swap_total: u64,
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub swap_used: u64,
    /// 1-minute load.
    #[serde(default)]
    pub load_average1: f64,
    /// 5-minute load.
    #[serde(default)]
    pub load_average5: f64,
    /// 15-minute load.
    #[serde(default)]
    pub load_average15: f64,
    /// Percent.
    #[serde(default)]
    pub cpu_percent: f64,
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub disk_total: u64,
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub disk_used: u64,
    /// Per disk.
    #[serde(default)]
    pub disk_details: Option<Vec<DiskDetail>>,
}

/// `network` of a server's utilization.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsNetwork")
)]
pub struct Network {
    /// Bytes received.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub rx_bytes: u64,
    /// Bytes sent.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub tx_bytes: u64,
}

/// `disk_io` of a server's utilization.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsDiskIo")
)]
pub struct DiskIo {
    /// Bytes read.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub read_bytes: u64,
    /// Bytes written.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub write_bytes: u64,
}

/// A server's live resource use (`utilization` of `GET /api/servers/{uuid}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "WingsResources")
)]
pub struct Resources {
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub memory_bytes: u64,
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub memory_limit_bytes: u64,
    /// Percent of one core.
    #[serde(default)]
    pub cpu_absolute: f64,
    /// Network counters.
    #[serde(default)]
    pub network: Network,
    /// Disk counters.
    #[serde(default)]
    pub disk_io: DiskIo,
    /// Milliseconds.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub uptime: i64,
    /// Bytes.
    #[serde(default)]
    #[cfg_attr(not(target_arch = "wasm32"), ts(type = "number"))]
    pub disk_bytes: i64,
    /// `offline|starting|running|stopping`.
    #[serde(default)]
    pub state: String,
}

/// `GET /api/servers/{uuid}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ServerDetails {
    /// `offline|starting|running|stopping`.
    #[serde(default)]
    pub state: String,
    /// Whether Wings holds it suspended.
    #[serde(default)]
    pub is_suspended: bool,
    /// Resource use.
    #[serde(default)]
    pub utilization: Resources,
    /// Wings' copy of the configuration.
    #[serde(default)]
    pub configuration: Value,
}

/// `POST /api/servers` body.
#[derive(Debug, Clone, Serialize)]
pub struct CreateServer<'a> {
    /// The server's uuid (Wings calls back for its settings).
    pub uuid: &'a str,
    /// Start once installed.
    pub start_on_completion: bool,
}

/// A power action (`POST /api/servers/{uuid}/power`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum PowerSignal {
    /// Start.
    Start,
    /// Stop gracefully.
    Stop,
    /// Stop then start.
    Restart,
    /// Kill.
    Kill,
}

impl PowerSignal {
    /// The action's name for Wings.
    pub fn as_str(self) -> &'static str {
        match self {
            PowerSignal::Start => "start",
            PowerSignal::Stop => "stop",
            PowerSignal::Restart => "restart",
            PowerSignal::Kill => "kill",
        }
    }

    /// The subuser permission it needs (kill needs `control.stop`).
    pub fn permission(self) -> &'static str {
        match self {
            PowerSignal::Start => "control.start",
            PowerSignal::Stop | PowerSignal::Kill => "control.stop",
            PowerSignal::Restart => "control.restart",
        }
    }
}

/// `POST /api/servers/{uuid}/power` body.
#[derive(Debug, Clone, Serialize)]
pub struct Power {
    /// The action.
    pub action: PowerSignal,
    /// Seconds to wait for a lock, 0-300.
    pub wait_seconds: u32,
}

/// `POST /api/servers/{uuid}/commands` body.
#[derive(Debug, Clone, Serialize)]
pub struct Commands<'a> {
    /// Lines written to the console.
    pub commands: &'a [String],
}

/// `POST /api/deauthorize-user` body.
#[derive(Debug, Clone, Serialize)]
pub struct Deauthorize<'a> {
    /// The user's uuid.
    pub user: &'a str,
    /// Server uuids (empty: close everywhere, deny nothing).
    pub servers: &'a [String],
}

/// `POST /api/update` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Applied {
    /// Whether Wings applied the configuration.
    #[serde(default)]
    pub applied: bool,
}

/// `GET /api/servers/{uuid}/logs` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ServerLogs")
)]
pub struct Logs {
    /// Console lines, oldest first.
    #[serde(default)]
    pub data: Vec<String>,
}

/// `GET /api/servers/{uuid}/install-logs` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "ServerInstallLogs")
)]
pub struct InstallLogs {
    /// The install script's output.
    #[serde(default)]
    pub data: String,
}

/// `GET /api/system/ips` answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(
    not(target_arch = "wasm32"),
    derive(ts_rs::TS),
    ts(export, rename = "NodeIps")
)]
pub struct Ips {
    /// The node's addresses.
    #[serde(default)]
    pub ip_addresses: Vec<String>,
}

/// `POST /api/servers/{uuid}/backup` body (next issue: backups).
#[derive(Debug, Clone, Serialize)]
pub struct NewBackup<'a> {
    /// `wings` or `s3`.
    pub adapter: &'a str,
    /// Backup uuid.
    pub uuid: &'a str,
    /// Ignore patterns, one per line.
    pub ignore: &'a str,
}
