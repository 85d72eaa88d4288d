import { CopyButton } from './CopyButton';

/** What an empty project shows: the code that logs a first run into this very project. */
export function FirstRunCode({ org, project }: { org: string; project: string }) {
  const ref = `${org}/${project}`;
  const origin = window.location.origin;
  const env = `export TRACKBASE_URL=${origin}\nexport TRACKBASE_API_KEY=tbk_...   # create one under Account`;
  const python = `import trackbase\n\nrun = trackbase.init(project="${ref}")\nfor step in range(100):\n    run.log({"loss": 1 / (step + 1)}, step=step)\nrun.finish()`;
  const typescript = `import { init } from '@trackbase/sdk';\n\nconst run = await init({ project: '${ref}' });\nfor (let step = 0; step < 100; step++) run.log({ loss: 1 / (step + 1) }, step);\nawait run.finish();`;
  return (
    <div className="first-run" aria-label="Log a first run">
      <p>No runs yet. Log one into this project from your training code:</p>
      {[
        ['Environment', env],
        ['Python', python],
        ['TypeScript', typescript],
      ].map(([title, code]) => (
        <figure key={title}>
          <figcaption>
            {title} <CopyButton text={code!} />
          </figcaption>
          <pre>
            <code data-testid={`first-run-${title!.toLowerCase()}`}>{code}</code>
          </pre>
        </figure>
      ))}
    </div>
  );
}
