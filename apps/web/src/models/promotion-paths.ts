/** Addresses of the promotion pages. */

/** A request's page, under its model. */
export const promotionRequestPath = (projectSlug: string, modelName: string, requestId: string) =>
  `/models/${encodeURIComponent(projectSlug)}/${encodeURIComponent(modelName)}/requests/${encodeURIComponent(requestId)}`;
