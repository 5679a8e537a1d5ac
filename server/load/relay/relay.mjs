// The reference relay that `cargo xtask bench` measures Hanmadi against: the
// room server a WebSocket tutorial would write. A client joins a room by name;
// whatever it sends then goes to everyone in the room, itself included. Nothing
// is stored. Usage: node relay.mjs [port] (0, the default, picks a free one).
import { WebSocketServer } from 'ws';

const rooms = new Map(); // room name -> Set of sockets
const server = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
server.on('listening', () => console.log(`relay listening on port ${server.address().port}`));
server.on('connection', (socket) => {
  let room;
  socket.on('message', (data) => {
    const message = JSON.parse(data);
    if (message.type === 'join') {
      if (!rooms.has(message.room)) rooms.set(message.room, new Set());
      room = rooms.get(message.room);
      room.add(socket);
      socket.send(JSON.stringify({ type: 'joined', room: message.room }));
    } else if (message.type === 'message' && room) {
      const out = JSON.stringify({ type: 'message', text: message.text });
      for (const member of room) member.send(out);
    }
  });
  socket.on('close', () => room?.delete(socket));
});
