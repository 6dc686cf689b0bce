package sshd

import (
	"sync"

	"charm.land/log/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

const (
	agentRequest = "auth-agent-req@openssh.com"
	// refusedAgentRequest is what an agent-forwarding request is renamed
	// to: the session does not know it and answers no, in its turn.
	refusedAgentRequest = agentRequest + " (refused by pistream)"
)

// refuseAgentForwarding wraps a session channel handler so that the
// session refuses requests to forward the SSH agent: charm.land/ssh's
// session accepts them (session.go, handleRequests, case agentRequestType),
// though nothing in pistream uses an agent. The request is renamed before
// the session reads it, so the session's own reply, in order with its
// other replies, is a refusal.
func refuseAgentForwarding(next ssh.ChannelHandler, logger *log.Logger) ssh.ChannelHandler {
	return func(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
		c := &agentlessChannel{NewChannel: newChan, ctx: ctx, logger: logger}
		next(srv, conn, c, ctx)
		c.wg.Wait()
	}
}

// agentlessChannel is a new session channel whose requests pass through a
// filter renaming agent-forwarding requests.
type agentlessChannel struct {
	gossh.NewChannel
	ctx    ssh.Context
	logger *log.Logger
	wg     sync.WaitGroup // the filter, until the channel's requests end
}

func (c *agentlessChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, in, err := c.NewChannel.Accept()
	if err != nil {
		return ch, in, err
	}
	out := make(chan *gossh.Request)
	c.wg.Go(func() {
		defer close(out)
		for req := range in {
			if req.Type == agentRequest {
				req.Type = refusedAgentRequest
				c.logger.Debug("agent forwarding refused", "remote", host(c.ctx.RemoteAddr()))
			}
			select {
			case out <- req:
			case <-c.ctx.Done(): // the connection is gone
				return
			}
		}
	})
	return ch, out, nil
}
