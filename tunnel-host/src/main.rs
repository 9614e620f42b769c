//! `tunnel-host`: parses the arguments and hands over to the library.

use anyhow::Context;
use clap::Parser;
use tunnel_host::{Config, Host, Listeners};

// Accept loops and the control plane; the data plane runs on its own threads (`shard`).
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tunnel_host::logging::init(config.log_format).context("initialising logs")?;
    let listeners = Listeners::bind(&config)
        .await
        .context("binding listeners")?;
    let host = Host::connect(config)
        .await
        .context("connecting to the edge")?;
    host.run(listeners, tunnel_host::shutdown_signal())
        .await
        .context("running the tunnel host")?;
    Ok(())
}
