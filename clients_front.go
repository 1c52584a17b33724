//go:build credchain_front

package credchain

// The CLI's front build (credchain_front) links no AWS client, so that the
// commands that never call AWS start without the SDK's service packages:
// its sources return what the caches hold, and anything more fails with
// creds.ErrNoClient before it has any effect. The CLI then runs the command
// again in its full build.
var awsClients clients
