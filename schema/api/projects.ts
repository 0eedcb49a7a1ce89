import { z } from "zod";
import { DisplayName, Timestamp } from "./common";
import { MirrorPath } from "./paths";

export const Framework = z.enum(["expo", "react-native", "web", "other"]);

const name = DisplayName;
const description = z.string().max(2000);

export const CreateProjectRequest = z
  .object({
    name,
    description: description.optional(),
    framework: Framework.default("other"),
    entry: MirrorPath.optional().meta({ description: "entry file inside the mirror, e.g. App.tsx" }),
  })
  .meta({ id: "CreateProjectRequest" });

export const UpdateProjectRequest = z
  .object({
    name: name.optional(),
    description: description.nullable().optional(),
    framework: Framework.optional(),
    entry: MirrorPath.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: "nothing to update" })
  .meta({ id: "UpdateProjectRequest" });

export const Project = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    framework: Framework,
    entry: z.string().nullable(),
    mirror_revision: z.number().int(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Project" });

export type Project = z.infer<typeof Project>;
