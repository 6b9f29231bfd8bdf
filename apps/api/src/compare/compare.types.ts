/** GraphQL types of downsampled metric series (docs/compare-design.md). */
import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * Columnar numbers: a JSON array of numbers (and nulls where documented), passed through as one
 * value. graphql-js completes a [Float] list element by element — ≈370 ms for 20 runs × 4
 * metrics × 1,000 buckets of object lists here — while one leaf serialises with the response.
 */
export const NumberList = new GraphQLScalarType({
  name: 'NumberList',
  description: 'A JSON array of numbers (null where a field says so): columnar series data',
  serialize(value) {
    if (!Array.isArray(value)) throw new GraphQLError('NumberList must be an array');
    return value;
  },
  parseValue() {
    throw new GraphQLError('NumberList is an output type');
  },
  parseLiteral(ast) {
    throw new GraphQLError(`NumberList is an output type (got a ${ast.kind === Kind.LIST ? 'list' : ast.kind} literal)`);
  },
});

@ObjectType('SeriesPoint', { description: 'One logged point' })
export class SeriesPointGql {
  @Field(() => Float) step: number;
  @Field(() => Float, { description: 'Epoch milliseconds' }) timestamp: number;
  @Field(() => Float, { nullable: true, description: 'Null when not finite: see nonFinite' }) value: number | null;
  @Field(() => String, { nullable: true, description: '"NaN", "Infinity" or "-Infinity" where value is null' }) nonFinite: string | null;
}

@ObjectType('MetricSeries', {
  description:
    "One run's metric over the window, bucketed on the set's shared edges. Parallel lists hold the non-empty buckets only; `buckets` gives each entry's bucket index.",
})
export class MetricSeriesGql {
  @Field() runId: string;
  @Field() key: string;
  @Field(() => Int, { description: 'Points in the window, non-finite included' }) pointCount: number;
  @Field(() => SeriesPointGql, {
    nullable: true,
    description: "The window's first point (in step, timestamp, value order): always kept, whatever the budget",
  })
  first: SeriesPointGql | null;
  @Field(() => NumberList, { description: 'Bucket index of each entry' }) buckets: number[];
  @Field(() => NumberList, {
    description: "Step of the entry's last finite point (the bucket's start when it has none): where `last` is drawn",
  })
  steps: number[];
  @Field(() => NumberList, { description: 'Epoch ms of that point; null when the bucket has no finite point' }) timestamps: (
    number | null
  )[];
  @Field(() => NumberList, { description: 'Last finite value in (step, timestamp, value) order; null when none' }) last: (number | null)[];
  @Field(() => NumberList, { description: 'Smallest finite value; null when none' }) min: (number | null)[];
  @Field(() => NumberList, { description: 'Largest finite value; null when none' }) max: (number | null)[];
  @Field(() => NumberList, { description: 'Points in the bucket' }) counts: number[];
  @Field(() => NumberList, { description: 'NaN and ±Infinity points in the bucket (left out of min, max and last)' }) nanCounts: number[];
}

@ObjectType('MetricSeriesSet', { description: 'Downsampled series of several runs and metrics on shared bucket edges' })
export class MetricSeriesSetGql {
  @Field(() => Float, { nullable: true, description: 'First step of the window (null when no series has points)' }) fromStep: number | null;
  @Field(() => Float, { nullable: true, description: 'Last step of the window, inclusive' }) toStep: number | null;
  @Field(() => Float, {
    description: 'Steps per bucket. Bucket i starts at fromStep for i = 0, else at (floor(fromStep / bucketWidth) + i) × bucketWidth',
  })
  bucketWidth: number;
  @Field(() => Int) bucketCount: number;
  @Field(() => Boolean, {
    description: 'Every point is returned as logged (one bucket per step): the window holds no more steps than the budget',
  })
  exact: boolean;
  @Field(() => Int, { nullable: true, description: 'Summary level read (blocks of 2^level steps); null when read from raw points' })
  tierLevel: number | null;
  @Field(() => [MetricSeriesGql]) series: MetricSeriesGql[];
}
