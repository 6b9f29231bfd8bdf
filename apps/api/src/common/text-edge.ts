/**
 * Text that cannot be stored is refused where it enters, on every transport (issue 10, finding
 * 3): a lone UTF-16 surrogate (a JSON escape such as "\ud800") would reach PostgreSQL as U+FFFD
 * and U+0000 not at all, so what is stored would differ from what was sent and from what an audit
 * hash covers. The path, the query string and a JSON or form body are checked by one middleware
 * before any handler; GraphQL string literals by a validation rule (the body holds them as escape
 * text); NDJSON lines by their reader. Each refusal names the offending value and writes nothing.
 */
import type { NextFunction, Request, Response } from 'express';
import { findInvalidText, InvalidText, textProblem } from '@caliper/domain';
import { ASTVisitor, GraphQLError, ValidationContext } from 'graphql';
import { sendError } from '../ingest/body-limits';

function message(where: string, found: InvalidText): string {
  return `${where} ${found.path} ${found.problem}: refused, nothing was written. Send well-formed Unicode text without NUL characters.`;
}

/** The request's first unstorable text: in the path, the query string or the parsed body. */
export function invalidRequestText(req: Request): string | null {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return `The request path is not valid percent-encoded UTF-8: refused.`;
  }
  const inPath = textProblem(path);
  if (inPath) return `The request path ${inPath}: refused, nothing was written.`;
  const inQuery = findInvalidText(req.query, 'query');
  if (inQuery) return message('Parameter', inQuery);
  const inBody = findInvalidText(req.body, 'body');
  if (inBody) return message('Value', inBody);
  return null;
}

/** Answers in the error shape of the API the request was sent to. */
export function refuseUnstorableText(req: Request, res: Response, next: NextFunction): void {
  const problem = invalidRequestText(req);
  if (!problem) return next();
  sendError(req, res, 400, { mlflow: 'INVALID_PARAMETER_VALUE', app: 'BAD_USER_INPUT' }, problem);
}

/** GraphQL validation: a string literal in the document holding unstorable text is a BAD_USER_INPUT error. */
export function storableStringLiterals(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node) {
      const problem = textProblem(node.value);
      if (problem) {
        context.reportError(
          new GraphQLError(
            `String literal ${problem}: refused, nothing was written. Send well-formed Unicode text without NUL characters.`,
            { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } },
          ),
        );
      }
    },
  };
}
