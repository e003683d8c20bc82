import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '../server/api/root';

/** Client hooks for the API (types only come from the server). */
export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
