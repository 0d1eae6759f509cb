#!/usr/bin/env node
// Lab 06's chat server in Node.js: the grader grades any language.
//
//     ./lab grade 06 --cmd "node tests/06-broadcast-chat/examples/chat_server.js --port {port}"
//
// One thread and an event loop, as Node.js has it: no lock is needed, since
// only one callback runs at a time. Bytes are kept as they are ('latin1'
// maps each byte to one character and back), and lines are framed by hand,
// since a 'data' event is whatever arrived, not a line.
'use strict';

const net = require('net');

const usage = 'usage: chat-server [--host HOST] [--port PORT]';

function parseArguments(argv) {
  const options = { host: '127.0.0.1', port: 8001 };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (value === undefined || (name !== '--host' && name !== '--port')) return null;
    if (name === '--host') options.host = value;
    if (name === '--port') {
      if (!/^[0-9]+$/.test(value) || Number(value) > 65535) return null;
      options.port = Number(value);
    }
  }
  return options;
}

const addressText = (host, port) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

const members = [];  // in the order they connected

function sendToOthers(sender, text) {
  for (const member of members) if (member !== sender) member.socket.write(text, 'latin1');
}

function serve(socket) {
  // A client that reset its connection before we got to it has no address
  // any more: it is gone, and nobody saw it come.
  if (socket.remoteAddress === undefined) return socket.destroy();
  const member = { socket, name: addressText(socket.remoteAddress, socket.remotePort) };
  sendToOthers(member, `* ${member.name} joined\n`);
  members.push(member);
  socket.setNoDelay(true);
  socket.setEncoding('latin1');

  const handleLine = (line) => {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '/who') socket.write(`* online: ${members.map((m) => m.name).join(' ')}\n`, 'latin1');
    else if (line !== '') sendToOthers(member, `${member.name} says: ${line}\n`);
  };
  let pending = '';
  let gone = false;
  const leave = () => {
    if (gone) return;
    gone = true;
    members.splice(members.indexOf(member), 1);
    sendToOthers(member, `* ${member.name} left\n`);
  };

  socket.on('data', (chunk) => {
    pending += chunk;
    let newline;
    while ((newline = pending.indexOf('\n')) !== -1) {
      handleLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
  });
  socket.on('end', () => {  // the client closed its side: a last line without '\n' still counts
    if (pending !== '') handleLine(pending);
    leave();
    socket.end();
  });
  socket.on('error', () => leave());  // a reset: its half line is dropped
  socket.on('close', () => leave());
}

const options = parseArguments(process.argv.slice(2));
if (!options) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
const server = net.createServer({ allowHalfOpen: true }, serve);
server.on('error', (error) => {
  process.stderr.write(`chat-server: cannot listen on ${addressText(options.host, options.port)}: ${error.message}\n`);
  process.exit(1);
});
server.listen({ host: options.host, port: options.port, backlog: 128 }, () => {
  const { address, port } = server.address();
  process.stdout.write(`listening on ${addressText(address, port)}\n`);
});
