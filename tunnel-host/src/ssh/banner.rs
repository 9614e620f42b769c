//! The banner sent before authentication (SSH_MSG_USERAUTH_BANNER), which OpenSSH prints
//! on stderr. It is what `ssh -N` users see: they open no session channel, so the notes a
//! shell prints ("tunnel ready: ...") never reach them, and OpenSSH shows nothing else a
//! server says after authentication (only the "Allocated port" of `-R 0:...` forwards).
//! The banner cannot know which name the client will ask for, so it spells out the URL of
//! each kind of forward, with this connection's random name picked in advance.

use crate::host::Ctx;

/// The banner for a connection whose first random-name HTTP tunnel gets `random_name`.
pub(crate) fn banner(ctx: &Ctx, random_name: &str) -> String {
    let named = ctx.http_url("<name>");
    let random = ctx.http_url(random_name);
    let tcp = ctx.tcp_url(0);
    let tcp = tcp.trim_end_matches(":0");
    format!(
        "flamingo tunnel host: where your tunnels will be\n\
         \x20 -R <name>:80:localhost:3000  ->  {named}\n\
         \x20 -R 80:localhost:3000         ->  {random} (this connection's random name)\n\
         \x20 -R 0:localhost:5432          ->  {tcp}:<the port ssh reports as \"Allocated port\">\n"
    )
}
