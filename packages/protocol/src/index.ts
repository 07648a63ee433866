export { ErrorCode, ERROR_CODES, HTTP_STATUS_BY_ERROR, CloseCode, closeAction } from './codes';
export type { CloseAction } from './codes';
export * from './limits';
export { TAPBACKS, bodyProblem, isSingleEmoji, isValidReaction } from './text';
export type { Tapback } from './text';
export {
  Id,
  Timestamp,
  User,
  Message,
  MessageChange,
  ConversationMember,
  JoinedMember,
  Conversation,
  ConversationSettings,
  SystemEvent,
  MemberRole,
  Attachment,
  MessageState,
} from './models';
export {
  Ref,
  AuthenticateFrame,
  JoinConversationFrame,
  LeaveConversationFrame,
  SendMessageFrame,
  TypingFrame,
  MarkReadFrame,
  EditMessageFrame,
  DeleteMessageFrame,
  ReactFrame,
  PingFrame,
  ClientStateFrame,
  ClientFrame,
} from './client-frames';
export type { ClientFrameType, ClientFrameOf } from './client-frames';
export {
  AuthenticatedFrame,
  JoinedFrame,
  LeftFrame,
  MessageAckFrame,
  MessageFrame,
  MessageUpdatedFrame,
  TypingEventFrame,
  ReadFrame,
  PresenceFrame,
  ConversationFrame,
  ConversationRemovedFrame,
  PongFrame,
  AckFrame,
  ErrorFrame,
  ServerFrame,
} from './server-frames';
export type { ServerFrameType, ServerFrameOf } from './server-frames';
export {
  ErrorBody,
  MeResponse,
  UsersQuery,
  UsersResponse,
  ConversationsResponse,
  CreateConversationRequest,
  ConversationResponse,
  MessagesQuery,
  MessagesResponse,
  ClientConfig,
  MAX_TITLE_LENGTH,
  RenameRequest,
  AddMembersRequest,
  ChangeRoleRequest,
  SettingsRequest,
  SearchQuery,
  SearchResult,
  SearchResponse,
  PushKeyResponse,
  PushSubscriptionRequest,
  PushUnsubscribeRequest,
} from './rest';
export { parseClientFrame, parseServerFrame } from './parse';
export type { FrameProblem, ParseResult } from './parse';
