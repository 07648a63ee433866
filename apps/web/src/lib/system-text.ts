import type { Message } from '@chat/protocol';

/** Names in a sentence: "Grace", "Grace and Alan", "Grace, Alan and Ada". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The centred grey line of a system message, as Messages words them: "Ada named the conversation
 * “Trip”", "Ada added Grace", "Alan left", "Ada removed Alan", "Ada made Grace an admin".
 * `nameOf` answers "You" for the signed-in user.
 */
export function systemText(message: Message, nameOf: (userId: string) => string): string {
  const actor = nameOf(message.sender_id);
  const event = message.event;
  switch (event?.type) {
    case 'renamed':
      return event.title === null
        ? `${actor} removed the conversation name`
        : `${actor} named the conversation “${event.title}”`;
    case 'members_added':
      return `${actor} added ${joinNames(event.user_ids.map(nameOf))}`;
    case 'member_removed':
      return `${actor} removed ${nameOf(event.user_id)}`;
    case 'member_left':
      return `${nameOf(event.user_id)} left`;
    case 'role_changed':
      return event.role === 'admin'
        ? `${actor} made ${nameOf(event.user_id)} an admin`
        : `${actor} made ${nameOf(event.user_id)} a member`;
    default:
      return `${actor} changed the conversation`;
  }
}
