import { z } from 'zod';
import { shareSource } from '../../../server/api/share-source';
import { SweepIdSchema } from '../../../server/core/ids';
import { parseViewState, serializeViewState } from '../../lib/view-state';
import { isNotFound } from '../responses';

/**
 * POST /share/links {sweepId, query} → 201 {id, path}: store a view once under its content-addressed short id
 * (the same view always gets the same id). The query is canonicalised through the Sweep page's own view-state
 * parser, so only what a view can express is stored.
 */
export const dynamic = 'force-dynamic';

// The sweep id is checked with the same schema the stored short-link record uses, so a malformed id is a 400 here.
const BodySchema = z.object({ sweepId: SweepIdSchema, query: z.string().max(4000) });

export async function POST(req: Request): Promise<Response> {
  let json: unknown;
  try {
    json = await req.json();
  } catch {
    return Response.json({ error: 'body must be JSON: {"sweepId": "...", "query": "metric=…"}' }, { status: 400 });
  }
  const body = BodySchema.safeParse(json);
  if (!body.success) return Response.json({ error: z.prettifyError(body.error) }, { status: 400 });
  const canonical = serializeViewState(parseViewState(new URLSearchParams(body.data.query)));
  try {
    const record = await shareSource().links.create(body.data.sweepId, canonical);
    return Response.json(
      { id: record.id, path: `/s/${record.id}`, sweepId: record.sweepId, query: record.query },
      { status: 201 },
    );
  } catch (e) {
    if (isNotFound(e)) return Response.json({ error: `no sweep ${body.data.sweepId}` }, { status: 404 });
    throw e;
  }
}
