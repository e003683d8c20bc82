import { handleTrpcRequest } from '../../../../server/api/http';

export const dynamic = 'force-dynamic';

function handler(req: Request): Promise<Response> {
  return handleTrpcRequest(req);
}

export { handler as GET, handler as POST };
