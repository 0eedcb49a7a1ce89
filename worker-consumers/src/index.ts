/**
 * worker-consumers: the queue consumers of HiveSync. It binds no queue yet, so it does no work;
 * its fetch handler only tells whoever calls it where the public API is.
 */
export type Env = { BLOBS: R2Bucket; ENVIRONMENT?: string };

export default {
  async fetch() {
    return Response.json(
      {
        error: {
          code: "NOT_FOUND",
          message: "worker-consumers serves no HTTP; use worker-api.",
          details: {},
          request_id: "",
        },
      },
      { status: 404 },
    );
  },
} satisfies ExportedHandler<Env>;
