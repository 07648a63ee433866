// Supabase-shaped HS256 test tokens, signed with TEST_JWT_SECRET unless told.
export { signTestToken } from '@chat/testkit';
export type { TokenOptions } from '@chat/testkit';
